using System.Net;
using Contacts.Tests.Infrastructure;
using static Contacts.Tests.Api.ContractAssert;

namespace Contacts.Tests.Api;

/// <summary>updated_since, tag_id and the Link header: additive features for sync jobs.</summary>
public abstract class SyncFeatureTests(AppFixture fixture)
{
    private TestData Data => fixture.Data;

    private static DateTime At(int day, int hour = 0, int millisecond = 0) => new(2025, 9, day, hour, 0, 0, millisecond, DateTimeKind.Utc);

    [SkippableFact]
    public async Task UpdatedSinceReturnsContactsUpdatedAtOrAfterIt()
    {
        var company = await Data.CompanyAsync();
        await Data.ContactAsync(company.Id, "Old", email: "old@x.test", created: At(1), updated: At(1));
        var exact = await Data.ContactAsync(company.Id, "Exact", email: "exact@x.test", created: At(1), updated: At(10, 8, 500));
        var newer = await Data.ContactAsync(company.Id, "New", email: "new@x.test", created: At(1), updated: At(12));
        using var client = fixture.App.ClientWithKey(company.Key);

        var page = await PageAsync(client, "/api/v1/contacts?updated_since=2025-09-10T08:00:00.500Z");
        Assert.Equal([exact, newer], Ids(page));
        Assert.Equal(2, page.GetProperty("totalRecords").GetInt64());

        Assert.Equal([newer], Ids(await PageAsync(client, "/api/v1/contacts?updated_since=2025-09-10T08:00:00.5001Z")));
        Assert.Equal([exact, newer], Ids(await PageAsync(client, "/api/v1/contacts?updated_since=2025-09-10T10:00:00.5%2B02:00")));
        Assert.Equal([exact, newer], Ids(await PageAsync(client, "/api/v1/contacts?updated_since=2025-09-02")));
    }

    [SkippableTheory]
    [InlineData("yesterday")]
    [InlineData("2025-13-01T00:00:00Z")]
    [InlineData("1694764800")]
    [InlineData("")]
    public async Task InvalidUpdatedSinceIsRejectedNamingTheParameter(string value)
    {
        var company = await Data.CompanyAsync();
        using var client = fixture.App.ClientWithKey(company.Key);
        var problem = await ProblemAsync(await client.GetAsync($"/api/v1/contacts?updated_since={Uri.EscapeDataString(value)}"), HttpStatusCode.BadRequest);
        Assert.Contains("updated_since", problem.GetProperty("detail").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty("updated_since", out _));
    }

    [SkippableFact]
    public async Task UpdatedSinceGivenTwiceIsRejected()
    {
        var company = await Data.CompanyAsync();
        using var client = fixture.App.ClientWithKey(company.Key);
        await ProblemAsync(await client.GetAsync("/api/v1/contacts?updated_since=2025-01-01&updated_since=2025-02-01"), HttpStatusCode.BadRequest);
    }

    [SkippableFact]
    public async Task TagIdReturnsContactsCarryingAnyOfTheTags()
    {
        var company = await Data.CompanyAsync();
        var vip = await Data.TagAsync(company.Id, "VIP");
        var lead = await Data.TagAsync(company.Id, "Lead");
        var other = await Data.TagAsync(company.Id, "Other");
        var a = await Data.ContactAsync(company.Id, "A", email: "a@x.test", tags: [vip]);
        var b = await Data.ContactAsync(company.Id, "B", email: "b@x.test", tags: [lead, vip]);
        await Data.ContactAsync(company.Id, "C", email: "c@x.test", tags: [other]);
        await Data.ContactAsync(company.Id, "D", email: "d@x.test");
        using var client = fixture.App.ClientWithKey(company.Key);

        Assert.Equal([a, b], Ids(await PageAsync(client, $"/api/v1/contacts?tag_id={vip}")));
        Assert.Equal([b], Ids(await PageAsync(client, $"/api/v1/contacts?tag_id={lead}")));
        var both = await PageAsync(client, $"/api/v1/contacts?tag_id={lead}&tag_id={vip}");
        Assert.Equal([a, b], Ids(both));
        Assert.Equal(2, both.GetProperty("totalRecords").GetInt64());
        Assert.Equal([b], Ids(await PageAsync(client, $"/api/v1/contacts?tag_id={vip}&search=b@x")));
    }

    [SkippableFact]
    public async Task TagIdOfAnotherCompanyMatchesNothing()
    {
        var company = await Data.CompanyAsync();
        var stranger = await Data.CompanyAsync();
        var theirs = await Data.TagAsync(stranger.Id, "VIP");
        await Data.ContactAsync(stranger.Id, "S", email: "s@x.test", tags: [theirs]);
        await Data.ContactAsync(company.Id, "Mine", email: "m@x.test");
        using var client = fixture.App.ClientWithKey(company.Key);

        var page = await PageAsync(client, $"/api/v1/contacts?tag_id={theirs}");
        Assert.Empty(Ids(page));
        Assert.Equal(0, page.GetProperty("totalRecords").GetInt64());
    }

    [SkippableTheory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("")]
    public async Task InvalidTagIdIsRejectedNamingTheParameter(string value)
    {
        var company = await Data.CompanyAsync();
        using var client = fixture.App.ClientWithKey(company.Key);
        var problem = await ProblemAsync(await client.GetAsync($"/api/v1/contacts?tag_id=1&tag_id={value}"), HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("tag_id", out _));
    }

    [SkippableFact]
    public async Task LinkHeaderNamesFirstPrevNextAndLastKeepingTheOtherParameters()
    {
        var company = await Data.CompanyAsync();
        for (var i = 0; i < 7; i++) await Data.ContactAsync(company.Id, "Ann", $"Lee{i}", $"ann{i}@x.test");
        using var client = fixture.App.ClientWithKey(company.Key);

        var middle = Links(await client.GetAsync("/api/v1/contacts?search=ann&limit=2&page=2"));
        Assert.Equal(4, middle.Count);
        Assert.Equal("/api/v1/contacts?search=ann&limit=2&page=1", middle["first"]);
        Assert.Equal("/api/v1/contacts?search=ann&limit=2&page=1", middle["prev"]);
        Assert.Equal("/api/v1/contacts?search=ann&limit=2&page=3", middle["next"]);
        Assert.Equal("/api/v1/contacts?search=ann&limit=2&page=4", middle["last"]);

        var first = Links(await client.GetAsync("/api/v1/contacts?search=ann&limit=2"));
        Assert.Equal(["first", "last", "next"], first.Keys.Order());
        var last = Links(await client.GetAsync("/api/v1/contacts?search=ann&limit=2&page=4"));
        Assert.Equal(["first", "last", "prev"], last.Keys.Order());
        var empty = Links(await client.GetAsync("/api/v1/contacts?search=nobody-here"));
        Assert.Equal(["first"], empty.Keys);
    }

    [SkippableFact]
    public async Task TagsEndpointHasALinkHeaderToo()
    {
        var company = await Data.CompanyAsync();
        for (var i = 0; i < 3; i++) await Data.TagAsync(company.Id, $"Tag {i}");
        using var client = fixture.App.ClientWithKey(company.Key);

        var links = Links(await client.GetAsync("/api/v1/contacts/tags?limit=1&page=2"));
        Assert.Equal("/api/v1/contacts/tags?limit=1&page=3", links["next"]);
        Assert.Equal("/api/v1/contacts/tags?limit=1&page=1", links["prev"]);
    }

    [SkippableTheory]
    [InlineData("Host")]
    [InlineData("X-Forwarded-Host")]
    public async Task LinksAreRelativeSoAHostHeaderChosenByTheClientNeverAppearsInThem(string header)
    {
        var company = await Data.CompanyAsync();
        for (var i = 0; i < 3; i++) await Data.ContactAsync(company.Id, "Ann", $"Lee{i}", $"ann{i}@x.test");
        using var client = fixture.App.ClientWithKey(company.Key);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/contacts?limit=1&page=2");
        request.Headers.TryAddWithoutValidation(header, "evil.example");
        request.Headers.TryAddWithoutValidation("X-Forwarded-Proto", "https");

        using var response = await client.SendAsync(request);

        Assert.DoesNotContain("evil.example", string.Join(",", response.Headers.GetValues("Link")), StringComparison.Ordinal);
        var links = Links(response);
        Assert.Equal("/api/v1/contacts?limit=1&page=1", links["prev"]);
        Assert.Equal("/api/v1/contacts?limit=1&page=3", links["next"]);
    }

    [SkippableFact]
    public async Task LinksStayRelativeBehindAProxyEvenWithForwardedHeadersOn()
    {
        await using var app = await TestApp.StartAsync(fixture.Database, "--FORWARDEDHEADERS_ENABLED=true");
        var company = await Data.CompanyAsync();
        for (var i = 0; i < 3; i++) await Data.TagAsync(company.Id, $"Tag {i}");
        using var client = app.ClientWithKey(company.Key);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/contacts/tags?limit=1");
        request.Headers.TryAddWithoutValidation("X-Forwarded-Proto", "https");
        request.Headers.TryAddWithoutValidation("X-Forwarded-Host", "evil.example");
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", "203.0.113.7");

        var links = Links(await client.SendAsync(request));

        Assert.Equal("/api/v1/contacts/tags?limit=1&page=2", links["next"]);
    }

    [SkippableFact]
    public async Task LinksStartWithThePublicBaseUrlWhenOneIsConfigured()
    {
        await using var app = await TestApp.StartAsync(fixture.Database, "--Api:PublicBaseUrl=https://contacts.example.com/crm/");
        var company = await Data.CompanyAsync();
        for (var i = 0; i < 3; i++) await Data.TagAsync(company.Id, $"Tag {i}");
        using var client = app.ClientWithKey(company.Key);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/contacts/tags?limit=1&page=2&search=tag");
        request.Headers.Host = "evil.example";

        var links = Links(await client.SendAsync(request));

        Assert.Equal("https://contacts.example.com/crm/api/v1/contacts/tags?limit=1&search=tag&page=1", links["first"]);
        Assert.Equal("https://contacts.example.com/crm/api/v1/contacts/tags?limit=1&search=tag&page=3", links["next"]);
    }

    [SkippableTheory]
    [InlineData("contacts.example.com")]
    [InlineData("/api")]
    [InlineData("ftp://contacts.example.com")]
    [InlineData("https://contacts.example.com/?tenant=1")]
    [InlineData("https://contacts.example.com/#top")]
    [InlineData("https://user:secret@contacts.example.com")]
    public async Task APublicBaseUrlThatIsNotAnAbsoluteHttpUrlStopsStartNamingTheSetting(string value)
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => TestApp.StartAsync(fixture.Database, $"--Api:PublicBaseUrl={value}"));
        Assert.Contains("PublicBaseUrl", failure.Message, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> Links(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var header = string.Join(",", response.Headers.GetValues("Link"));
        return header.Split(',', StringSplitOptions.TrimEntries).Select(part =>
        {
            var pieces = part.Split(';', StringSplitOptions.TrimEntries);
            Assert.StartsWith("<", pieces[0]);
            Assert.EndsWith(">", pieces[0]);
            return (Rel: pieces[1].Replace("rel=", "", StringComparison.Ordinal).Trim('"'), Uri: pieces[0][1..^1]);
        }).ToDictionary(l => l.Rel, l => l.Uri);
    }
}

public sealed class SqliteSyncFeatureTests(SqliteAppFixture fixture) : SyncFeatureTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class PostgresSyncFeatureTests(PostgresAppFixture fixture) : SyncFeatureTests(fixture), IClassFixture<PostgresAppFixture>;
