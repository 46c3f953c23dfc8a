using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Contacts.Client;
using Contacts.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Contacts.Tests.Client;

/// <summary>The typed client against the real service (Kestrel on loopback) on SQLite and PostgreSQL.</summary>
public abstract class ContactsClientTests(AppFixture fixture)
{
    private TestData Data => fixture.Data;

    private ContactsClient Client(TestCompany company) => ContactsClient.Create(fixture.App.Address, company.Key);

    private static DateTime At(int day, int hour = 0, int millisecond = 0) => new(2025, 9, day, hour, 0, 0, millisecond, DateTimeKind.Utc);

    [SkippableFact]
    public async Task OnePageReadsEveryWireFieldIntoTheRecords()
    {
        var company = await Data.CompanyAsync();
        var vip = await Data.TagAsync(company.Id, "VIP", "#1156d6", At(1, 9));
        var plain = await Data.TagAsync(company.Id, "Без цвета");
        var jane = await Data.ContactAsync(company.Id, "Jane", "Doe", "jane@example.com", "1234567890", null,
            "https://cdn.example.com/avatars/jane.jpg", At(1, 10), At(15, 8, 500), vip, plain);
        await Data.ContactAsync(company.Id, "Иван", null, "ivan@x.test");
        await Data.ContactAsync(company.Id, "李", "小龙", "li@x.test");
        using var client = Client(company);

        var page = await client.GetContactsAsync(new ContactsQuery { Limit = 2 });

        Assert.Equal((1, 2L, 3L), (page.CurrentPage, page.TotalPages, page.TotalRecords));
        Assert.Equal(2, page.Data.Count);
        var first = page.Data[0];
        Assert.Equal(jane.ToString(System.Globalization.CultureInfo.InvariantCulture), first.Id);
        Assert.Equal(("Jane", "Doe", "jane@example.com", "1234567890", (string?)null), (first.FirstName, first.LastName, first.Email, first.PhoneNumber, first.PhoneNumberLid));
        Assert.Equal("https://cdn.example.com/avatars/jane.jpg", first.ProfilePicture);
        Assert.Equal(new DateTimeOffset(At(1, 10)), first.CreatedAt);
        Assert.Equal(new DateTimeOffset(At(15, 8, 500)), first.UpdatedAt);
        Assert.Equal(TimeSpan.Zero, first.UpdatedAt.Offset);
        Assert.Equal([new ContactTag(vip.ToString(System.Globalization.CultureInfo.InvariantCulture), "VIP", "#1156d6"),
                      new ContactTag(plain.ToString(System.Globalization.CultureInfo.InvariantCulture), "Без цвета", null)], first.Tags);
        Assert.Equal(("Иван", (string?)null), (page.Data[1].FirstName, page.Data[1].LastName));

        // Serialized again, the records are the server's own JSON: no field lost, renamed or reformatted.
        using var raw = fixture.App.ClientWithKey(company.Key);
        AssertSameJson(await raw.GetStringAsync("/api/v1/contacts?limit=2"), JsonSerializer.Serialize(page, ContactsJsonContext.Default.PageContact));

        var tags = await client.GetTagsAsync(new TagsQuery { Limit = 1, Page = 2 });
        Assert.Equal((2, 2L, 2L), (tags.CurrentPage, tags.TotalPages, tags.TotalRecords));
        var tag = Assert.Single(tags.Data);
        Assert.Equal(("Без цвета", (string?)null, 1L), (tag.Name, tag.Color, tag.Count.ContactTag));
        AssertSameJson(await raw.GetStringAsync("/api/v1/contacts/tags?limit=1&page=2"), JsonSerializer.Serialize(tags, ContactsJsonContext.Default.PageTag));
    }

    [SkippableFact]
    public async Task SearchIsSentEncodedAndFindsAccentedAndNonLatinNames()
    {
        var company = await Data.CompanyAsync();
        var jose = await Data.ContactAsync(company.Id, "José", "Álvarez", "jose@x.test");
        var ivan = await Data.ContactAsync(company.Id, "Иван", "Петров", "ivan@x.test", "+1 (234) 567-8900");
        await Data.ContactAsync(company.Id, "Jane", "Doe", "jane@x.test");
        var vip = await Data.TagAsync(company.Id, "VIP & Co", "#1156d6");
        using var client = Client(company);

        Assert.Equal([Id(jose)], (await client.GetContactsAsync(new ContactsQuery { Search = "jose alvarez" })).Data.Select(c => c.Id));
        Assert.Equal([Id(ivan)], (await client.GetContactsAsync(new ContactsQuery { Search = "иван" })).Data.Select(c => c.Id));
        Assert.Equal([Id(ivan)], (await client.GetContactsAsync(new ContactsQuery { Search = "+1 (234) 567" })).Data.Select(c => c.Id));
        Assert.Equal([Id(vip)], (await client.GetTagsAsync(new TagsQuery { Search = "vip & co" })).Data.Select(t => t.Id));
        Assert.Empty((await client.GetContactsAsync(new ContactsQuery { Search = "nobody" })).Data);
    }

    [SkippableFact]
    public async Task WalkingAllPagesYieldsExactlyTheApiPagesConcatenated()
    {
        var company = await Data.CompanyAsync();
        var tags = new List<long>();
        for (var i = 0; i < 7; i++) tags.Add(await Data.TagAsync(company.Id, $"Tag {i}", i % 2 == 0 ? "#00aa00" : null));
        for (var i = 0; i < 23; i++)
            await Data.ContactAsync(company.Id, $"Ann{i}", i % 3 == 0 ? null : "Lee", $"ann{i}@x.test", created: At(1), updated: At(2, i), tags: [tags[i % 7]]);
        using var client = Client(company);
        using var raw = fixture.App.ClientWithKey(company.Key);

        var expected = new JsonArray();
        for (var page = 1; page <= 5; page++)
        {
            var body = JsonNode.Parse(await raw.GetStringAsync($"/api/v1/contacts?limit=5&page={page}"))!;
            foreach (var contact in body["data"]!.AsArray()) expected.Add(contact!.DeepClone());
        }
        var walked = await client.GetAllContactsAsync(new ContactsQuery { Limit = 5 }).ToListAsync();
        Assert.Equal(23, walked.Count);
        AssertSameJson(expected.ToJsonString(), new JsonArray([.. walked.Select(c => JsonSerializer.SerializeToNode(c, ContactsJsonContext.Default.Contact))]).ToJsonString());

        // The default page size is the documented maximum: one request reads them all.
        Assert.Single(await client.GetContactPagesAsync().ToListAsync());
        Assert.Equal(walked.Select(c => c.Id), (await client.GetAllContactsAsync().ToListAsync()).Select(c => c.Id));
        // Starting from a later page walks the rest.
        Assert.Equal(walked.Skip(10).Select(c => c.Id), (await client.GetAllContactsAsync(new ContactsQuery { Limit = 5, Page = 3 }).ToListAsync()).Select(c => c.Id));

        var allTags = await client.GetAllTagsAsync(new TagsQuery { Limit = 2 }).ToListAsync();
        Assert.Equal(tags.Select(Id), allTags.Select(t => t.Id));
        Assert.Equal(23, allTags.Sum(t => t.Count.ContactTag));
    }

    [SkippableFact]
    public async Task WalkingAnEmptyResultMakesOneRequestAndYieldsNothing()
    {
        var company = await Data.CompanyAsync();
        using var client = Client(company);
        var pages = await client.GetContactPagesAsync(new ContactsQuery { Search = "nobody" }).ToListAsync();
        Assert.Equal(0, Assert.Single(pages).TotalPages);
        Assert.Empty(await client.GetAllTagsAsync().ToListAsync());
    }

    [SkippableFact]
    public async Task UpdatedSinceAndTagIdsAreHonoured()
    {
        var company = await Data.CompanyAsync();
        var vip = await Data.TagAsync(company.Id, "VIP");
        var lead = await Data.TagAsync(company.Id, "Lead");
        await Data.ContactAsync(company.Id, "Old", email: "old@x.test", created: At(1), updated: At(1), tags: [vip]);
        var exact = await Data.ContactAsync(company.Id, "Exact", email: "exact@x.test", created: At(1), updated: At(10, 8, 500), tags: [lead]);
        var newer = await Data.ContactAsync(company.Id, "New", email: "new@x.test", created: At(1), updated: At(12), tags: [vip]);
        var untagged = await Data.ContactAsync(company.Id, "Untagged", email: "u@x.test", created: At(1), updated: At(12));
        using var client = Client(company);

        async Task<IEnumerable<string>> Ids(ContactsQuery query) => (await client.GetAllContactsAsync(query).ToListAsync()).Select(c => c.Id);

        // The same instant written with another offset: the client sends it as UTC.
        var since = new DateTimeOffset(2025, 9, 10, 10, 0, 0, 500, TimeSpan.FromHours(2));
        Assert.Equal([Id(exact), Id(newer), Id(untagged)], await Ids(new ContactsQuery { UpdatedSince = since }));
        Assert.Equal(3, (await client.GetContactsAsync(new ContactsQuery { UpdatedSince = since })).TotalRecords);
        Assert.Equal(2, (await client.GetContactsAsync(new ContactsQuery { UpdatedSince = since.AddMilliseconds(1) })).TotalRecords);
        Assert.Equal([Id(newer)], await Ids(new ContactsQuery { UpdatedSince = since, TagIds = [Id(vip)] }));
        Assert.Equal([Id(exact), Id(newer)], await Ids(new ContactsQuery { TagIds = [Id(lead), Id(vip)], UpdatedSince = At(2) }));
        Assert.Equal(3, (await client.GetContactsAsync(new ContactsQuery { TagIds = [Id(lead), Id(vip)] })).TotalRecords);
    }

    [SkippableFact]
    public async Task UnauthorizedBecomesContactsApiExceptionWithTheProblemFields()
    {
        _ = await Data.CompanyAsync();
        using var client = ContactsClient.Create(fixture.App.Address, "ck_000000000000_" + new string('0', 64));

        var error = await Assert.ThrowsAsync<ContactsApiException>(() => client.GetContactsAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Equal("Unauthorized", error.Title);
        Assert.False(string.IsNullOrEmpty(error.Detail));
        Assert.False(string.IsNullOrEmpty(error.TraceId));
        Assert.Contains("401", error.Message, StringComparison.Ordinal);
        Assert.Contains(error.TraceId!, error.Message, StringComparison.Ordinal);

        var walk = await Assert.ThrowsAsync<ContactsApiException>(async () => await client.GetAllTagsAsync().ToListAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, walk.StatusCode);
    }

    [SkippableFact]
    public async Task AnInvalidParameterBecomesA400NamingIt()
    {
        var company = await Data.CompanyAsync();
        using var client = Client(company);

        var error = await Assert.ThrowsAsync<ContactsApiException>(() => client.GetContactsAsync(new ContactsQuery { Limit = 0 }));
        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.True(error.Problem!.Errors!.ContainsKey("limit"));
        Assert.Contains("limit", error.Detail, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task OneContactIsItsListRecordAndNullWhenTheCompanyHasNoneWithThatId()
    {
        var company = await Data.CompanyAsync();
        var other = await Data.CompanyAsync();
        var vip = await Data.TagAsync(company.Id, "VIP", "#1156d6");
        var jane = await Data.ContactAsync(company.Id, "Jane", "Doe", "jane@example.com", "1234567890", null,
            "https://cdn.example.com/avatars/jane.jpg", At(1, 10), At(15, 8, 500), vip);
        var theirs = await Data.ContactAsync(other.Id, "Theirs");
        using var client = Client(company);

        var listed = Assert.Single((await client.GetContactsAsync()).Data);
        var one = await client.GetContactAsync(Id(jane));

        Assert.NotNull(one);
        AssertSameJson(JsonSerializer.Serialize(listed, ContactsJsonContext.Default.Contact), JsonSerializer.Serialize(one, ContactsJsonContext.Default.Contact));
        Assert.Null(await client.GetContactAsync(Id(theirs)));
        Assert.Null(await client.GetContactAsync(Id(theirs + 1_000_000)));
        Assert.Null(await client.GetContactAsync(long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [SkippableTheory]
    [InlineData("")]
    [InlineData("tags")]
    [InlineData("changes")]
    [InlineData("0")]
    [InlineData("007")]
    [InlineData("-1")]
    [InlineData(" 1")]
    [InlineData("1/2")]
    [InlineData("9223372036854775808")]
    public async Task AnIdTheApiNeverWritesIsRefusedBeforeAnyRequest(string id)
    {
        var company = await Data.CompanyAsync();
        using var client = Client(company);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => client.GetContactAsync(id));
        Assert.Equal("id", error.ParamName);
    }

    private static string Id(long id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static void AssertSameJson(string expected, string actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual)), $"expected {expected}{Environment.NewLine}actual   {actual}");
}

public sealed class SqliteContactsClientTests(SqliteAppFixture fixture) : ContactsClientTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class PostgresContactsClientTests(PostgresAppFixture fixture) : ContactsClientTests(fixture), IClassFixture<PostgresAppFixture>;

/// <summary>Retries against a real tiny Kestrel app on loopback that answers what each test scripts.</summary>
public sealed class ContactsClientRetryTests
{
    private const string Key = "ck_000000000000_0000000000000000000000000000000000000000000000000000000000000000";
    private const string EmptyPage = """{"data":[],"currentPage":1,"totalPages":0,"totalRecords":0}""";

    [Fact]
    public async Task A503WithRetryAfterIsRetriedOnceThenSucceeds()
    {
        await using var server = await ScriptedServer.StartAsync(
            (503, "1", """{"type":"about:blank","title":"Service Unavailable","status":503,"detail":"retry","traceId":"t1"}"""),
            (200, null, EmptyPage));
        using var client = ContactsClient.Create(server.Address, Key);

        var page = await client.GetContactsAsync();

        Assert.Equal(0, page.TotalRecords);
        Assert.Equal(2, server.Requests);
        Assert.All(server.Authorizations, a => Assert.Equal("Bearer " + Key, a));
    }

    [Fact]
    public async Task TheDependencyInjectionRegistrationRetriesToo()
    {
        await using var server = await ScriptedServer.StartAsync((429, "1", ""), (200, null, EmptyPage));
        var services = new ServiceCollection();
        services.AddContactsClient(server.Address, Key);
        await using var provider = services.BuildServiceProvider();

        var page = await provider.GetRequiredService<ContactsClient>().GetTagsAsync(new TagsQuery { Search = "x" });

        Assert.Equal(0, page.TotalPages);
        Assert.Equal(2, server.Requests);
        Assert.Equal("/api/v1/contacts/tags?search=x", server.Paths[1]);
    }

    [Fact]
    public async Task RetriesAreBoundedAndTheLastAnswerIsReported()
    {
        await using var server = await ScriptedServer.StartAsync(
            Enumerable.Repeat((429, (string?)"0", """{"title":"Too Many Requests","status":429,"detail":"slow down","traceId":"t2"}"""), 10).ToArray());
        using var client = ContactsClient.Create(server.Address, Key);

        var error = await Assert.ThrowsAsync<ContactsApiException>(() => client.GetContactsAsync());

        Assert.Equal(HttpStatusCode.TooManyRequests, error.StatusCode);
        Assert.Equal(("Too Many Requests", "slow down", "t2"), (error.Title, error.Detail, error.TraceId));
        Assert.Equal(1 + ContactsClientResilience.MaxRetryAttempts, server.Requests);
    }

    [Fact]
    public async Task OtherErrorsAreNotRetried()
    {
        await using var server = await ScriptedServer.StartAsync((500, null, """{"title":"Internal Server Error","status":500,"traceId":"t3"}"""), (200, null, EmptyPage));
        using var client = ContactsClient.Create(server.Address, Key);

        var error = await Assert.ThrowsAsync<ContactsApiException>(() => client.GetContactsAsync());

        Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
        Assert.Equal("t3", error.TraceId);
        Assert.Equal(1, server.Requests);
    }

    [Fact]
    public async Task ABodyThatIsNotTheApisJsonIsAClearError()
    {
        await using var server = await ScriptedServer.StartAsync((200, null, "<html>a login page</html>"));
        using var client = ContactsClient.Create(new Uri(server.Address, "some/prefix"), Key);

        var error = await Assert.ThrowsAsync<ContactsApiException>(() => client.GetContactsAsync(new ContactsQuery { Limit = 3 }));

        Assert.Contains("not the Contacts API's JSON", error.Message, StringComparison.Ordinal);
        Assert.Equal("/some/prefix/api/v1/contacts?limit=3", Assert.Single(server.Paths));
    }

    [Fact]
    public async Task BothWaysOfMakingAClientAskForBrotliOrGzipAndReadIt()
    {
        await using var server = await ScriptedServer.StartAsync((200, null, EmptyPage));
        using var created = ContactsClient.Create(server.Address, Key);
        var services = new ServiceCollection();
        services.AddContactsClient(server.Address, Key);
        await using var provider = services.BuildServiceProvider();

        Assert.Equal(0, (await created.GetContactsAsync()).TotalRecords);
        Assert.Equal(0, (await provider.GetRequiredService<ContactsClient>().GetContactsAsync()).TotalRecords);

        Assert.Equal(2, server.AcceptEncodings.Count);
        Assert.All(server.AcceptEncodings, header => Assert.Equal(["br", "gzip"], header.Split(',', StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal)));
        Assert.All(server.ContentEncodings, encoding => Assert.Equal("br", encoding));
    }

    [Fact]
    public async Task A404ThatIsNotTheApisContactNotFoundIsAnErrorNotAMissingContact()
    {
        // A base address that reaches something else (another service, a proxy's error page) must not read as "no such contact".
        await using var server = await ScriptedServer.StartAsync(
            (404, null, """{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.5","title":"Not Found","status":404,"detail":"No endpoint at this path.","traceId":"t4"}"""),
            (404, null, "<html>not here</html>"),
            (404, null, """{"title":"Contact not found","status":404,"detail":"none","traceId":"t5"}"""));
        using var client = ContactsClient.Create(server.Address, Key);

        var problem = await Assert.ThrowsAsync<ContactsApiException>(() => client.GetContactAsync("42"));
        Assert.Equal((HttpStatusCode.NotFound, "t4"), (problem.StatusCode, problem.TraceId));
        var page = await Assert.ThrowsAsync<ContactsApiException>(() => client.GetContactAsync("42"));
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Null(await client.GetContactAsync("42"));
        Assert.Equal("/api/v1/contacts/42", server.Paths[0]);
    }

    /// <summary>Kestrel on a free loopback port answering the scripted (status, Retry-After, body) in turn.</summary>
    private sealed class ScriptedServer : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly (int Status, string? RetryAfter, string Body)[] _script;
        private int _requests;

        private ScriptedServer(WebApplication app, (int, string?, string)[] script)
        {
            _app = app;
            _script = script;
        }

        public Uri Address { get; private set; } = null!;
        public int Requests => _requests;
        public List<string> Paths { get; } = [];
        public List<string> Authorizations { get; } = [];
        public List<string> AcceptEncodings { get; } = [];
        public List<string> ContentEncodings { get; } = [];

        public static async Task<ScriptedServer> StartAsync(params (int Status, string? RetryAfter, string Body)[] script)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            builder.Services.AddResponseCompression(options => options.Providers.Add<Microsoft.AspNetCore.ResponseCompression.BrotliCompressionProvider>());
            var app = builder.Build();
            var server = new ScriptedServer(app, script);
            app.UseResponseCompression();
            app.Run(server.AnswerAsync);
            await app.StartAsync();
            server.Address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            return server;
        }

        private async Task AnswerAsync(HttpContext http)
        {
            var index = Interlocked.Increment(ref _requests) - 1;
            lock (Paths)
            {
                Paths.Add(http.Request.Path + http.Request.QueryString);
                Authorizations.Add(http.Request.Headers.Authorization.ToString());
                AcceptEncodings.Add(http.Request.Headers.AcceptEncoding.ToString());
            }
            var (status, retryAfter, body) = _script[Math.Min(index, _script.Length - 1)];
            http.Response.StatusCode = status;
            if (retryAfter is not null) http.Response.Headers.RetryAfter = retryAfter;
            http.Response.ContentType = body.StartsWith('{') ? status == 200 ? "application/json; charset=utf-8" : "application/problem+json" : "text/html";
            await http.Response.WriteAsync(body);
            lock (Paths) ContentEncodings.Add(http.Response.Headers.ContentEncoding.ToString());
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
