using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Contacts.Tests.Infrastructure;
using Json.Schema;

namespace Contacts.Tests.Docs;

/// <summary>A small Api:MaxLimit, so that the document's bound on limit is seen to come from configuration.</summary>
public sealed class DocsFixture : SqliteAppFixture
{
    public const int MaxLimit = 40;
    protected override string[] Settings => [$"--Api:MaxLimit={MaxLimit}"];
}

/// <summary>
/// /openapi/v1.json as the running service serves it, and real responses of that service validated against its schemas
/// (JSON Schema 2020-12), so the document cannot drift from the code. SQLite only: the schema does not depend on the database.
/// </summary>
public sealed class OpenApiDocumentTests(DocsFixture fixture) : IClassFixture<DocsFixture>
{
    private const string ContactsPath = "/api/v1/contacts";
    private const string TagsPath = "/api/v1/contacts/tags";
    private const string ContactPath = "/api/v1/contacts/{id}";
    private static readonly string[] DocumentedStatuses = ["200", "304", "400", "401", "405", "429", "500", "503"];
    private static readonly string[] ContactStatuses = ["200", "304", "400", "401", "404", "405", "429", "500", "503"];

    private async Task<JsonNode> DocumentAsync()
    {
        using var response = await fixture.App.Client.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    private static JsonNode Operation(JsonNode document, string path) =>
        document["paths"]?[path]?["get"] ?? throw new Xunit.Sdk.XunitException($"GET {path} is not in the document.");

    /// <summary>The operation's parameters but the If-None-Match header every operation takes (LiveAnswerTests).</summary>
    private static List<JsonNode> OwnParameters(JsonNode operation) =>
        [.. operation["parameters"]!.AsArray().Select(p => p!).Where(p => (string?)p["in"] != "header")];

    private static JsonNode Parameter(JsonNode operation, string name) =>
        operation["parameters"]!.AsArray().SingleOrDefault(p => (string?)p!["name"] == name)
        ?? throw new Xunit.Sdk.XunitException($"Parameter {name} is not described.");

    [Fact]
    public async Task DocumentIsOpenApi31AndListsExactlyTheEndpoints()
    {
        var document = await DocumentAsync();
        Assert.StartsWith("3.1", (string?)document["openapi"]);
        Assert.Equal([ContactsPath, ContactsPath + "/changes", TagsPath, ContactPath], document["paths"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(["get"], document["paths"]![ContactsPath]!.AsObject().Select(p => p.Key));
        Assert.Equal(["get"], document["paths"]![TagsPath]!.AsObject().Select(p => p.Key));
        Assert.Equal(["get"], document["paths"]![ContactPath]!.AsObject().Select(p => p.Key));
        Assert.Equal("ListContacts", (string?)Operation(document, ContactsPath)["operationId"]);
        Assert.Equal("ListContactTags", (string?)Operation(document, TagsPath)["operationId"]);
        Assert.Equal("GetContact", (string?)Operation(document, ContactPath)["operationId"]);
    }

    [Fact]
    public async Task TheContactsIdIsARequiredPathStringWithThePatternOfTheIdsTheApiWrites()
    {
        var document = await DocumentAsync();
        var parameter = Assert.Single(OwnParameters(Operation(document, ContactPath)));
        Assert.Equal(("id", "path", true), ((string?)parameter["name"], (string?)parameter["in"], (bool?)parameter["required"]));
        Assert.Equal("string", (string?)parameter["schema"]!["type"]);
        var contactId = document["components"]!["schemas"]!["ContactResponse"]!["properties"]!["id"]!;
        Assert.Equal((string?)contactId["pattern"], (string?)parameter["schema"]!["pattern"]);
        Assert.Null(parameter["example"]);
    }

    [Fact]
    public async Task BearerSchemeIsDefinedAndRequiredByBothEndpoints()
    {
        var document = await DocumentAsync();
        var scheme = document["components"]!["securitySchemes"]!["Bearer"]!;
        Assert.Equal("http", (string?)scheme["type"]);
        Assert.Equal("bearer", (string?)scheme["scheme"]);
        foreach (var path in new[] { ContactsPath, TagsPath, ContactPath })
        {
            var security = Operation(document, path)["security"]!.AsArray();
            Assert.Contains(security, requirement => requirement!.AsObject().ContainsKey("Bearer"));
        }
    }

    [Fact]
    public async Task PagingParametersCarryTheirBoundsAndDefaultsOnBothEndpoints()
    {
        var document = await DocumentAsync();
        foreach (var path in new[] { ContactsPath, TagsPath })
        {
            var operation = Operation(document, path);
            foreach (var parameter in OwnParameters(operation))
            {
                Assert.Equal("query", (string?)parameter["in"]);
                Assert.NotEqual(true, (bool?)parameter["required"]);
            }
            var page = Parameter(operation, "page")["schema"]!;
            Assert.Equal("integer", (string?)page["type"]);
            Assert.Equal(1, (int?)page["minimum"]);
            Assert.Equal(1, (int?)page["default"]);

            var limit = Parameter(operation, "limit")["schema"]!;
            Assert.Equal("integer", (string?)limit["type"]);
            Assert.Equal(1, (int?)limit["minimum"]);
            Assert.Equal(DocsFixture.MaxLimit, (int?)limit["maximum"]);
            Assert.Equal(10, (int?)limit["default"]);

            var search = Parameter(operation, "search")["schema"]!;
            Assert.Equal("string", (string?)search["type"]);
            Assert.Equal(200, (int?)search["maxLength"]);
        }
        var tagsNames = OwnParameters(Operation(document, TagsPath)).Select(p => (string?)p["name"]);
        Assert.Equal(["page", "limit", "search"], tagsNames);
    }

    [Fact]
    public async Task SyncParametersAreDescribedOnTheContactsEndpoint()
    {
        var document = await DocumentAsync();
        var operation = Operation(document, ContactsPath);
        var since = Parameter(operation, "updated_since")["schema"]!;
        Assert.Equal("string", (string?)since["type"]);
        Assert.Equal("date-time", (string?)since["format"]);

        var tagId = Parameter(operation, "tag_id");
        // form + explode (tag_id=1&tag_id=2) is the default for query parameters, so the writer may leave them out.
        Assert.Equal("form", (string?)tagId["style"] ?? "form");
        Assert.True((bool?)tagId["explode"] ?? true);
        Assert.Equal("array", (string?)tagId["schema"]!["type"]);
        Assert.Equal(50, (int?)tagId["schema"]!["maxItems"]);
        // A string like every id the API returns, so that a strict client passes a tag's id back as it got it.
        var item = tagId["schema"]!["items"]!;
        Assert.Equal("string", (string?)item["type"]);
        Assert.Equal("^[1-9][0-9]{0,18}$", (string?)item["pattern"]);
        var tagIdSchema = document["components"]!["schemas"]!["ContactTagResponse"]!["properties"]!["id"]!;
        Assert.Equal((string?)tagIdSchema["pattern"], (string?)item["pattern"]);
    }

    [Fact]
    public async Task EveryParameterIsDescribedWithAnExampleTheServiceAccepts()
    {
        var document = await DocumentAsync();
        var company = await fixture.Data.CompanyAsync();
        using var client = fixture.App.ClientWithKey(company.Key);
        foreach (var path in new[] { ContactsPath, TagsPath })
        {
            foreach (var parameter in OwnParameters(Operation(document, path)))
            {
                var name = (string?)parameter["name"];
                var description = (string?)parameter["description"] ?? "";
                // Not as `example`: the /docs try-it would send it, and a person's first call would find nothing.
                Assert.Null(parameter["example"]);
                var example = System.Text.RegularExpressions.Regex.Match(description, @"Example: `([^`]+)`\.$");
                Assert.True(example.Success, $"{name}: no example at the end of \"{description}\"");
                Assert.StartsWith(name + "=", example.Groups[1].Value, StringComparison.Ordinal);
                using var response = await client.GetAsync($"{path}?{example.Groups[1].Value}");
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{name}'s example {example.Groups[1].Value} answers {(int)response.StatusCode}");
            }
        }
    }

    [Fact]
    public async Task ProblemDetailIsMarkedAsTheErrorMessageAndEveryFieldIsDescribed()
    {
        var schemas = (await DocumentAsync())["components"]!["schemas"]!;
        foreach (var name in new[] { "ProblemDetails", "HttpValidationProblemDetails" })
        {
            var properties = schemas[name]!["properties"]!;
            Assert.True((bool?)properties["detail"]!["x-ms-primary-error-message"]);
            var traceId = properties["traceId"]!;
            Assert.Equal("^[0-9a-f]{32}$", (string?)traceId["pattern"]);
            Assert.Contains("traceparent", (string?)traceId["description"], StringComparison.Ordinal);
        }
        Assert.False(string.IsNullOrWhiteSpace((string?)schemas["HttpValidationProblemDetails"]!["properties"]!["errors"]!["description"]));
        var count = schemas["TagResponse"]!["properties"]!["_count"]!;
        Assert.False(string.IsNullOrWhiteSpace((string?)(count["description"] ?? schemas["TagCount"]?["description"])));
        Assert.False(string.IsNullOrWhiteSpace((string?)schemas["TagCount"]!["properties"]!["contact_tag"]!["description"]));
    }

    [Fact]
    public async Task ServersIsTheRootRelativeToTheDocumentWhateverHostTheRequestNames()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/openapi/v1.json");
        request.Headers.Host = "evil.example";
        request.Headers.TryAddWithoutValidation("X-Forwarded-Host", "evil.example");
        using var response = await fixture.App.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.DoesNotContain("evil.example", text, StringComparison.Ordinal);
        var servers = JsonNode.Parse(text)!["servers"]!.AsArray();
        Assert.Equal("/", (string?)Assert.Single(servers)!["url"]);
    }

    [Fact]
    public async Task ServersIsThePublicBaseUrlWithoutATrailingSlashWhenOneIsConfigured()
    {
        await using var app = await TestApp.StartAsync(fixture.Database, "--Api:PublicBaseUrl=https://contacts.example.com/crm/");
        var document = JsonNode.Parse(await app.Client.GetStringAsync("/openapi/v1.json"))!;

        Assert.Equal("https://contacts.example.com/crm", (string?)Assert.Single(document["servers"]!.AsArray())!["url"]);
    }

    [Fact]
    public async Task EveryResponseIsDescribedWithErrorsAsProblemJson()
    {
        var document = await DocumentAsync();
        var problem = document["components"]!["schemas"]!["ProblemDetails"]!;
        Assert.Equal(["detail", "status", "title", "traceId", "type"], problem["required"]!.AsArray().Select(r => (string?)r).Order(StringComparer.Ordinal));
        Assert.Contains("errors", document["components"]!["schemas"]!["HttpValidationProblemDetails"]!["required"]!.AsArray().Select(r => (string?)r));

        foreach (var path in new[] { ContactsPath, TagsPath, ContactPath })
        {
            var responses = Operation(document, path)["responses"]!.AsObject();
            Assert.Equal(path == ContactPath ? ContactStatuses : DocumentedStatuses, responses.Select(r => r.Key).Order(StringComparer.Ordinal));
            foreach (var (status, response) in responses)
            {
                Assert.NotNull(response!["headers"]!["Cache-Control"]);
                Assert.Equal("^[0-9a-f]{32}$", (string?)response["headers"]!["X-Request-Id"]?["schema"]?["pattern"]);
                if (status == "304")
                {
                    Assert.Null(response["content"]);
                    continue;
                }
                var content = response["content"]!.AsObject();
                Assert.Equal([status == "200" ? "application/json" : "application/problem+json"], content.Select(c => c.Key));
                var schemaRef = (string?)content.Single().Value!["schema"]!["$ref"];
                var expected = status switch
                {
                    "200" => path switch { ContactsPath => "PageOfContactResponse", ContactPath => "ContactResponse", _ => "PageOfTagResponse" },
                    "400" => "HttpValidationProblemDetails",
                    _ => "ProblemDetails",
                };
                Assert.Equal("#/components/schemas/" + expected, schemaRef);
            }
            if (path != ContactPath) Assert.NotNull(responses["200"]!["headers"]!["Link"]);
            Assert.NotNull(responses["503"]!["headers"]!["Retry-After"]);
        }
    }

    [Fact]
    public async Task EveryResponseOfEveryOperationDeclaresTheRequestId()
    {
        var document = await DocumentAsync();
        var responses = document["paths"]!.AsObject().SelectMany(path => path.Value!.AsObject())
            .SelectMany(operation => operation.Value!["responses"]!.AsObject()).ToList();
        Assert.NotEmpty(responses);
        Assert.All(responses, response => Assert.NotNull(response.Value!["headers"]?["X-Request-Id"]));
    }

    [Fact]
    public async Task ExamplesAreTheSeedsAndSatisfyTheirSchemas()
    {
        var document = await DocumentAsync();
        var contacts = Operation(document, ContactsPath)["responses"]!["200"]!["content"]!["application/json"]!["example"]!;
        Assert.Equal("1234567890", (string?)contacts["data"]![0]!["id"]);
        Assert.Equal("Jane", (string?)contacts["data"]![0]!["first_name"]);
        Assert.Null(contacts["data"]![0]!["phone_number_lid"]);
        Assert.Equal(["VIP", "Lead"], contacts["data"]![0]!["tags"]!.AsArray().Select(t => (string?)t!["name"]));
        Assert.Equal(115, (int?)contacts["totalRecords"]);
        var tags = Operation(document, TagsPath)["responses"]!["200"]!["content"]!["application/json"]!["example"]!;
        Assert.Equal([38, 12], tags["data"]!.AsArray().Select(t => (int?)t!["_count"]!["contact_tag"]));
        Assert.Equal(25, (int?)tags["totalRecords"]);

        var contact = Operation(document, ContactPath)["responses"]!["200"]!["content"]!["application/json"]!["example"]!;
        Assert.True(JsonNode.DeepEquals(contacts["data"]![0], contact));

        var validator = new ResponseValidator(document);
        validator.AssertValid(ContactsPath, "200", "application/json", contacts.ToJsonString());
        validator.AssertValid(TagsPath, "200", "application/json", tags.ToJsonString());
        validator.AssertValid(ContactPath, "200", "application/json", contact.ToJsonString());
    }

    [Fact]
    public async Task RealResponsesOfEveryEndpointMatchTheDocumentedSchemas()
    {
        var validator = new ResponseValidator(await DocumentAsync());
        var company = await fixture.Data.CompanyAsync();
        var vip = await fixture.Data.TagAsync(company.Id, "VIP", "#1156d6");
        var plain = await fixture.Data.TagAsync(company.Id, "Plain", color: null);
        var updated = new DateTime(2025, 9, 15, 8, 30, 0, 123, DateTimeKind.Utc);
        var jane = await fixture.Data.ContactAsync(company.Id, "Jane", "Doe", "jane@example.test", "+1 555 0100", "lid-1",
            "https://example.test/jane.jpg", updated: updated, tags: [vip, plain]);
        var nobody = await fixture.Data.ContactAsync(company.Id, first: null, last: null, email: null, phone: "+1 555 0101");
        using var client = fixture.App.ClientWithKey(company.Key);

        var contacts = await validator.AssertResponseAsync(client, HttpMethod.Get, ContactsPath + "?limit=1", HttpStatusCode.OK);
        Assert.Equal(2, contacts.GetProperty("data")[0].GetProperty("tags").GetArrayLength());
        var nulls = await validator.AssertResponseAsync(client, HttpMethod.Get, ContactsPath + "?page=2&limit=1", HttpStatusCode.OK);
        Assert.Equal(JsonValueKind.Null, nulls.GetProperty("data")[0].GetProperty("first_name").ValueKind);
        await validator.AssertResponseAsync(client, HttpMethod.Get, $"{ContactsPath}?tag_id={vip}&updated_since=2025-09-01T00:00:00Z&search=jane", HttpStatusCode.OK);
        await validator.AssertResponseAsync(client, HttpMethod.Get, ContactsPath + "?page=99", HttpStatusCode.OK);
        var tags = await validator.AssertResponseAsync(client, HttpMethod.Get, TagsPath, HttpStatusCode.OK);
        Assert.Equal(JsonValueKind.Null, tags.GetProperty("data")[1].GetProperty("color").ValueKind);

        foreach (var path in new[] { ContactsPath, TagsPath })
        {
            await validator.AssertResponseAsync(client, HttpMethod.Get, path + "?page=0&limit=x", HttpStatusCode.BadRequest);
            await validator.AssertResponseAsync(fixture.App.Client, HttpMethod.Get, path, HttpStatusCode.Unauthorized);
            using var wrongKey = fixture.App.ClientWithKey("ck_000000000000_" + new string('0', 64));
            await validator.AssertResponseAsync(wrongKey, HttpMethod.Get, path, HttpStatusCode.Unauthorized);
            await validator.AssertResponseAsync(client, HttpMethod.Post, path, HttpStatusCode.MethodNotAllowed);
            await validator.AssertResponseAsync(client, HttpMethod.Delete, path, HttpStatusCode.MethodNotAllowed);
        }
        await validator.AssertResponseAsync(client, HttpMethod.Get, ContactsPath + "?tag_id=0&updated_since=soon", HttpStatusCode.BadRequest);

        var one = await validator.AssertResponseAsync(client, HttpMethod.Get, $"{ContactsPath}/{jane}", HttpStatusCode.OK, ContactPath);
        Assert.Equal(2, one.GetProperty("tags").GetArrayLength());
        await validator.AssertResponseAsync(client, HttpMethod.Get, $"{ContactsPath}/{nobody}", HttpStatusCode.OK, ContactPath);
        await validator.AssertResponseAsync(client, HttpMethod.Get, $"{ContactsPath}/{nobody + 1000}", HttpStatusCode.NotFound, ContactPath);
        await validator.AssertResponseAsync(client, HttpMethod.Get, $"{ContactsPath}/0{jane}", HttpStatusCode.BadRequest, ContactPath);
        await validator.AssertResponseAsync(fixture.App.Client, HttpMethod.Get, $"{ContactsPath}/{jane}", HttpStatusCode.Unauthorized, ContactPath);
        await validator.AssertResponseAsync(client, HttpMethod.Delete, $"{ContactsPath}/{jane}", HttpStatusCode.MethodNotAllowed, ContactPath);
    }

    [Fact]
    public async Task ValidationRejectsABodyThatBreaksTheSchema()
    {
        // Guards the guard: a validator that accepted anything would make the test above worthless.
        var validator = new ResponseValidator(await DocumentAsync());
        var company = await fixture.Data.CompanyAsync();
        await fixture.Data.ContactAsync(company.Id, "Ann", email: "ann@example.test");
        using var client = fixture.App.ClientWithKey(company.Key);
        var body = JsonNode.Parse(await client.GetStringAsync(ContactsPath))!;

        var numericId = body.DeepClone();
        numericId["data"]![0]!["id"] = 1;
        Assert.False(validator.IsValid(ContactsPath, "200", "application/json", numericId.ToJsonString()));
        var missingTags = body.DeepClone();
        missingTags["data"]![0]!.AsObject().Remove("tags");
        Assert.False(validator.IsValid(ContactsPath, "200", "application/json", missingTags.ToJsonString()));
        var secondsOnly = body.DeepClone();
        secondsOnly["data"]![0]!["created_at"] = "2025-08-01T10:00:00Z";
        Assert.False(validator.IsValid(ContactsPath, "200", "application/json", secondsOnly.ToJsonString()));
        Assert.True(validator.IsValid(ContactsPath, "200", "application/json", body.ToJsonString()));
    }

    [Fact]
    public async Task DocumentAndDocsPageNeedNoKeyAndThePageMayOnlyTalkToItsOwnOrigin()
    {
        using var docs = await fixture.App.Client.GetAsync("/docs/");
        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
        Assert.Contains("openapi/v1.json", await docs.Content.ReadAsStringAsync());
        var policy = string.Join(";", docs.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'self'", policy);
        Assert.Contains("connect-src 'self'", policy);
        using var script = await fixture.App.Client.GetAsync("/docs/scalar.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
    }

    [Fact]
    public async Task DocsEnabledFalseTurnsOffTheDocumentAndThePage()
    {
        await using var app = await TestApp.StartAsync(fixture.Database, "--Docs:Enabled=false");
        foreach (var path in new[] { "/openapi/v1.json", "/docs", "/docs/", "/docs/scalar.js" })
        {
            using var response = await app.Client.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
        var company = await fixture.Data.CompanyAsync();
        using var client = app.ClientWithKey(company.Key);
        using var api = await client.GetAsync(ContactsPath);
        Assert.Equal(HttpStatusCode.OK, api.StatusCode);
    }

    /// <summary>Turns the document's response schemas into JSON Schema 2020-12 (components become $defs) and evaluates bodies.</summary>
    private sealed class ResponseValidator(JsonNode document)
    {
        private readonly Dictionary<string, JsonSchema> _schemas = new(StringComparer.Ordinal);

        /// <param name="documentPath">The document's path template when the URL fills one in (/api/v1/contacts/{id}).</param>
        public async Task<JsonElement> AssertResponseAsync(HttpClient client, HttpMethod method, string url, HttpStatusCode expected,
            string? documentPath = null)
        {
            using var request = new HttpRequestMessage(method, url);
            using var response = await client.SendAsync(request);
            Assert.Equal(expected, response.StatusCode);
            var status = ((int)expected).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var path = documentPath ?? url.Split('?')[0];
            var described = document["paths"]![path]!["get"]!["responses"]![status]
                            ?? throw new Xunit.Sdk.XunitException($"{status} of {path} is not in the document.");
            foreach (var header in described["headers"]?.AsObject() ?? [])
            {
                if (header.Key is "Retry-After") continue; // only on 429/503, which need a failing database to provoke
                Assert.True(response.Headers.Contains(header.Key), $"{method} {url}: documented header {header.Key} is missing.");
            }
            var mediaType = response.Content.Headers.ContentType?.MediaType ?? "";
            var body = await response.Content.ReadAsStringAsync();
            AssertValid(path, status, mediaType, body);
            return JsonDocument.Parse(body).RootElement.Clone();
        }

        public void AssertValid(string path, string status, string mediaType, string body)
        {
            var results = Evaluate(path, status, mediaType, body);
            if (results.IsValid) return;
            var errors = results.Details?.Where(d => d.Errors is not null)
                .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} ({d.EvaluationPath}): {e.Key}: {e.Value}")) ?? [];
            Assert.Fail($"{status} {mediaType} of {path} does not match the document:\n{string.Join("\n", errors)}\n{body}");
        }

        public bool IsValid(string path, string status, string mediaType, string body) => Evaluate(path, status, mediaType, body).IsValid;

        private EvaluationResults Evaluate(string path, string status, string mediaType, string body)
        {
            var key = $"{path} {status} {mediaType}";
            if (!_schemas.TryGetValue(key, out var schema))
            {
                var responseSchema = document["paths"]![path]!["get"]!["responses"]![status]!["content"]![mediaType]?["schema"]
                                     ?? throw new Xunit.Sdk.XunitException($"{status} of {path} has no {mediaType} schema in the document.");
                var standalone = new JsonObject
                {
                    ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
                    ["$defs"] = document["components"]!["schemas"]!.DeepClone(),
                };
                foreach (var (name, value) in responseSchema.AsObject()) standalone[name] = value?.DeepClone();
                var text = standalone.ToJsonString().Replace("#/components/schemas/", "#/$defs/", StringComparison.Ordinal);
                _schemas[key] = schema = JsonSchema.FromText(text);
            }
            using var instance = JsonDocument.Parse(body);
            return schema.Evaluate(instance.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        }
    }
}
