using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Contacts.Data.Changes;
using Contacts.Tests.Api;
using Contacts.Tests.Infrastructure;

namespace Contacts.Tests.Docs;

/// <summary>
/// Every status every operation can be made to answer here (200, 304, 400, 401, 404, 405, 410, 429), asked of the
/// running service and held against /openapi/v1.json: the headers each answer sends are exactly those the document
/// declares for it, and every problem's `type` is on the same base. 500 and 503 need a failing server and are left out.
/// </summary>
public sealed class LiveAnswerTests(DocsFixture fixture) : IClassFixture<DocsFixture>
{
    /// <summary>The headers the document declares (Content-Encoding, Vary, Allow and WWW-Authenticate are HTTP's own).</summary>
    private static readonly string[] Governed =
        ["Cache-Control", "ETag", "Link", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "Retry-After", "X-Request-Id"];

    private sealed record Live(string Operation, string Status, HttpResponseMessage Response);

    private async Task<List<Live>> AskEverythingAsync(TestApp limited)
    {
        var company = await fixture.Data.CompanyAsync();
        var contact = await fixture.Data.ContactAsync(company.Id, "Ann", "Lee");
        var gone = await fixture.Data.ContactAsync(company.Id, "Soon", "Gone");
        using var client = fixture.App.ClientWithKey(company.Key);
        using var feed = JsonDocument.Parse(await client.GetStringAsync("/api/v1/contacts/changes"));
        var cursor = feed.RootElement.GetProperty("next_cursor").GetString();
        await fixture.Database.Db.ExecuteAsync("DELETE FROM contact WHERE id = @id", ("@id", gone));
        await ChangeFeedQueries.PurgeAsync(fixture.Database.Db, DateTime.UtcNow.AddMinutes(1), CancellationToken.None);

        var one = "/api/v1/contacts/" + contact.ToString(CultureInfo.InvariantCulture);
        (string Operation, string Url, string Invalid)[] operations =
        [
            ("/api/v1/contacts", "/api/v1/contacts?limit=2", "/api/v1/contacts?limit=0"),
            ("/api/v1/contacts/tags", "/api/v1/contacts/tags", "/api/v1/contacts/tags?page=0"),
            ("/api/v1/contacts/{id}", one, "/api/v1/contacts/007"),
            ("/api/v1/contacts/changes", "/api/v1/contacts/changes", "/api/v1/contacts/changes?cursor=nope"),
        ];
        var answers = new List<Live>();
        async Task AskAsync(string operation, HttpClient who, HttpMethod method, string url, string? ifNoneMatch = null)
        {
            var request = new HttpRequestMessage(method, new Uri(url, UriKind.Relative));
            if (ifNoneMatch is not null) request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
            var response = await who.SendAsync(request);
            answers.Add(new Live(operation, ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture), response));
        }

        var limitedCompany = await fixture.Data.CompanyAsync();
        using var spent = limited.ClientWithKey(limitedCompany.Key);
        for (var i = 0; i < 2; i++) (await spent.GetAsync(new Uri("/api/v1/contacts/tags", UriKind.Relative))).Dispose();
        foreach (var (operation, url, invalid) in operations)
        {
            using var first = await client.GetAsync(new Uri(url, UriKind.Relative));
            await AskAsync(operation, client, HttpMethod.Get, url);
            await AskAsync(operation, client, HttpMethod.Get, url, first.Headers.ETag!.ToString());
            await AskAsync(operation, client, HttpMethod.Get, invalid);
            await AskAsync(operation, fixture.App.Client, HttpMethod.Get, url);
            await AskAsync(operation, client, HttpMethod.Post, url);
            await AskAsync(operation, spent, HttpMethod.Get, url);
        }
        await AskAsync("/api/v1/contacts/{id}", client, HttpMethod.Get, "/api/v1/contacts/" + long.MaxValue.ToString(CultureInfo.InvariantCulture));
        await AskAsync("/api/v1/contacts/changes", client, HttpMethod.Get, "/api/v1/contacts/changes?cursor=" + cursor);
        return answers;
    }

    private Task<TestApp> LimitedAsync() => TestApp.StartAsync(fixture.Database,
        "--RateLimits:PerKey:BucketSize=2", "--RateLimits:PerKey:PermitsPerSecond=0.001");

    private async Task<JsonNode> DocumentAsync() => JsonNode.Parse(await fixture.App.Client.GetStringAsync("/openapi/v1.json"))!;

    [Fact]
    public async Task EveryAnswerSendsExactlyTheHeadersTheDocumentDeclaresForItsOperationAndStatus()
    {
        var document = await DocumentAsync();
        await using var limited = await LimitedAsync();
        var answers = await AskEverythingAsync(limited);

        Assert.Equal(["200", "304", "400", "401", "404", "405", "410", "429"], answers.Select(a => a.Status).Distinct().Order(StringComparer.Ordinal));
        foreach (var (operation, status, response) in answers)
        {
            var described = document["paths"]![operation]!["get"]!["responses"]![status]
                            ?? throw new Xunit.Sdk.XunitException($"{status} of {operation} is not in the document.");
            var declared = described["headers"]!.AsObject().Select(h => h.Key).Order(StringComparer.Ordinal).ToList();
            var sent = Governed.Where(name => response.Headers.NonValidated.Contains(name) || response.Content.Headers.NonValidated.Contains(name)).ToList();
            Assert.Equal((operation, status, string.Join(" ", declared)), (operation, status, string.Join(" ", sent)));
            Assert.Equal((operation, status, true), (operation, status, declared.All(Governed.Contains)));
            // Each value has the declared shape.
            foreach (var name in sent)
            {
                var pattern = (string?)described["headers"]![name]!["schema"]!["pattern"];
                var value = string.Join(", ", response.Headers.NonValidated.Contains(name) ? response.Headers.NonValidated[name] : response.Content.Headers.NonValidated[name]);
                if (pattern is not null) Assert.Matches(pattern, value);
            }
            response.Dispose();
        }
    }

    [Fact]
    public async Task EveryOperationDeclaresIfNoneMatchAndA304WithoutABody()
    {
        var document = await DocumentAsync();
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            var operation = item!["get"]!;
            Assert.Contains(operation["parameters"]!.AsArray(), p => (string?)p!["name"] == "If-None-Match" && (string?)p["in"] == "header");
            Assert.Null(operation["responses"]!["304"]!["content"]);
        }
    }

    [Fact]
    public async Task EveryProblemTypeIsOnTheSameBase()
    {
        await using var limited = await LimitedAsync();
        var answers = await AskEverythingAsync(limited);
        using var unknownPath = await fixture.App.Client.GetAsync(new Uri("/api/v1/nowhere", UriKind.Relative));
        var problems = answers.Select(a => a.Response).Append(unknownPath)
            .Where(r => r.Content.Headers.ContentType?.MediaType == "application/problem+json").ToList();

        var types = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var response in problems)
        {
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            types.Add(body.RootElement.GetProperty("type").GetString()!);
        }
        foreach (var answer in answers) answer.Response.Dispose();

        // 400, 401, 404 (a path's and a contact's alike), 405, 410, 429.
        Assert.Equal(6, types.Count);
        Assert.All(types, type => Assert.StartsWith("https://tools.ietf.org/html/rfc", type, StringComparison.Ordinal));
    }
}
