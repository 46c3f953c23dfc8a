using System.Globalization;
using System.Net;
using Contacts.Data;
using Contacts.Tests.Infrastructure;

namespace Contacts.Tests.Api;

[CollectionDefinition(Name, DisableParallelization = true)]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "xunit names collection definitions ...Collection")]
public sealed class SequentialCollection
{
    public const string Name = "Sequential (counts process-wide statements)";
}

/// <summary>
/// A request is one round trip (the company scope, the total, the page and its tags in one command) whatever limit
/// is: no query per contact. The one exception: a filtered page past the last one costs a second round trip for the
/// total (a search's only until its total is cached). On PostgreSQL the server's own statement log counts them (one transaction per round trip); SQLite has no
/// server, so there the application's command counter does.
/// </summary>
public abstract class QueryCostTests(AppFixture fixture)
{
    [SkippableFact]
    public async Task EveryPageShapeIsOneRoundTripForOneOrAHundredContacts()
    {
        Ci.SkipIf(fixture.SkipReason is not null, fixture.SkipReason);
        var company = await fixture.Data.CompanyAsync();
        var tag = await fixture.Data.TagAsync(company.Id, "VIP");
        for (var i = 0; i < 100; i++) await fixture.Data.ContactAsync(company.Id, "Ann", $"Lee{i}", $"ann{i}@x.test", tags: [tag]);
        using var client = fixture.App.ClientWithKey(company.Key);
        var tagId = tag.ToString(CultureInfo.InvariantCulture);
        string[] pages =
        [
            "/api/v1/contacts?limit=1",
            "/api/v1/contacts?limit=100",
            $"/api/v1/contacts?limit=100&tag_id={tagId}",
            "/api/v1/contacts?limit=1&search=ann",
            "/api/v1/contacts?limit=100&search=ann",
            "/api/v1/contacts?limit=1&page=99",
            "/api/v1/contacts?limit=10&page=3&search=lee",
            "/api/v1/contacts/tags?limit=100",
        ];
        // twice each: the key cache warms and statements get prepared, and neither may add a round trip
        foreach (var page in pages.Concat(pages)) await client.GetAsync(page);

        foreach (var page in pages) Assert.Equal((page, 1), (page, await CountRoundTripsAsync(() => client.GetAsync(page))));
    }

    [SkippableFact]
    public async Task AFilteredPagePastTheLastOneCostsASecondRoundTripForTheTotalUnlessItIsCached()
    {
        Ci.SkipIf(fixture.SkipReason is not null, fixture.SkipReason);
        var company = await fixture.Data.CompanyAsync();
        for (var i = 0; i < 5; i++) await fixture.Data.ContactAsync(company.Id, "Bo", $"Past{i}", $"bo{i}@x.test");
        using var client = fixture.App.ClientWithKey(company.Key);
        const string datedPast = "/api/v1/contacts?limit=10&page=7&search=past&updated_since=2020-01-01T00:00:00Z";
        const string unfilteredPast = "/api/v1/contacts?limit=10&page=7";
        await client.GetAsync(datedPast);
        await client.GetAsync(unfilteredPast);

        Assert.Equal(2, await CountRoundTripsAsync(() => client.GetAsync(datedPast)));
        Assert.Equal(1, await CountRoundTripsAsync(() => client.GetAsync(unfilteredPast)));
        // A search alone: counted in a second round trip the first time, then its cached total (SearchTotals) is
        // validated in the first statement.
        Assert.Equal(2, await CountRoundTripsAsync(() => client.GetAsync("/api/v1/contacts?limit=10&page=7&search=pas")));
        Assert.Equal(1, await CountRoundTripsAsync(() => client.GetAsync("/api/v1/contacts?limit=10&page=7&search=pas")));
    }

    [SkippableFact]
    public async Task OneContactIsOneRoundTripFoundOrNot()
    {
        Ci.SkipIf(fixture.SkipReason is not null, fixture.SkipReason);
        var company = await fixture.Data.CompanyAsync();
        var other = await fixture.Data.CompanyAsync();
        var tag = await fixture.Data.TagAsync(company.Id, "VIP");
        var mine = await fixture.Data.ContactAsync(company.Id, "Ann", "Lee", tags: [tag]);
        var theirs = await fixture.Data.ContactAsync(other.Id, "Bo", "Lee");
        using var client = fixture.App.ClientWithKey(company.Key);
        (string Path, HttpStatusCode Status)[] requests =
        [
            ($"/api/v1/contacts/{mine}", HttpStatusCode.OK),
            ($"/api/v1/contacts/{theirs}", HttpStatusCode.NotFound),
            ($"/api/v1/contacts/{theirs + 1_000_000}", HttpStatusCode.NotFound),
        ];
        foreach (var (path, _) in requests.Concat(requests)) await client.GetAsync(path);

        foreach (var (path, status) in requests)
            Assert.Equal((path, 1), (path, await CountRoundTripsAsync(() => client.GetAsync(path), status)));
        // A malformed id is refused before the database is asked.
        Assert.Equal(0, await CountRoundTripsAsync(() => client.GetAsync("/api/v1/contacts/x"), HttpStatusCode.BadRequest, expectStatements: false));
    }

    /// <summary>
    /// A matching If-None-Match costs the company's stamp alone, one short statement (ConditionalRequestTests proves the
    /// page is not read); a stale one costs that statement and the page's round trip.
    /// </summary>
    [SkippableFact]
    public async Task A304IsOneRoundTripAndAStaleTagOneMore()
    {
        Ci.SkipIf(fixture.SkipReason is not null, fixture.SkipReason);
        var company = await fixture.Data.CompanyAsync();
        var contact = await fixture.Data.ContactAsync(company.Id, "Ann", "Lee");
        using var client = fixture.App.ClientWithKey(company.Key);
        foreach (var path in new[] { "/api/v1/contacts?limit=100", "/api/v1/contacts/tags", $"/api/v1/contacts/{contact}", "/api/v1/contacts/changes" })
        {
            using var first = await client.GetAsync(path);
            first.EnsureSuccessStatusCode();
            var tag = first.Headers.ETag!.ToString();
            await client.SendAsync(Conditional(path, tag));

            Assert.Equal((path, 1), (path, await CountRoundTripsAsync(() => client.SendAsync(Conditional(path, tag)), HttpStatusCode.NotModified)));
            Assert.Equal((path, 2), (path, await CountRoundTripsAsync(() => client.SendAsync(Conditional(path, "W/\"stale\"")))));
        }
    }

    private static HttpRequestMessage Conditional(string path, string tag)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        request.Headers.TryAddWithoutValidation("If-None-Match", tag);
        return request;
    }

    protected abstract Task<long> CountRoundTripsAsync(Func<Task<HttpResponseMessage>> request,
        HttpStatusCode expected = HttpStatusCode.OK, bool expectStatements = true);
}

// No background last-used write may land inside a measured request.
public sealed class QuietSqliteAppFixture : SqliteAppFixture
{
    protected override string[] Settings => ["--Auth:LastUsedFlushSeconds=86400"];
}

public sealed class QuietPostgresAppFixture : PostgresAppFixture
{
    // The freshness sample too: its statement, in this database's log, would count as a round trip of the request.
    protected override string[] Settings => ["--Auth:LastUsedFlushSeconds=86400", "--Metrics:FreshnessSampleSeconds=3600"];

    public StatementLog? Log { get; private set; }

    // Before the service starts, so that every session it opens logs its statements.
    protected override async Task<TestDatabase?> CreateDatabaseAsync()
    {
        var database = await base.CreateDatabaseAsync();
        if (database is not null) Log = await StatementLog.EnableAsync(await PostgresServer.SharedAsync(), database.ConnectionString);
        return database;
    }
}

[Collection(SequentialCollection.Name)]
public sealed class SqliteQueryCostTests(QuietSqliteAppFixture fixture) : QueryCostTests(fixture), IClassFixture<QuietSqliteAppFixture>
{
    protected override async Task<long> CountRoundTripsAsync(Func<Task<HttpResponseMessage>> request,
        HttpStatusCode expected = HttpStatusCode.OK, bool expectStatements = true)
    {
        using var commands = new CommandCounter();
        using var response = await request();
        Assert.Equal(expected, response.StatusCode);
        return commands.Count;
    }
}

[Collection(SequentialCollection.Name)]
public sealed class PostgresQueryCostTests(QuietPostgresAppFixture fixture) : QueryCostTests(fixture), IClassFixture<QuietPostgresAppFixture>
{
    protected override async Task<long> CountRoundTripsAsync(Func<Task<HttpResponseMessage>> request,
        HttpStatusCode expected = HttpStatusCode.OK, bool expectStatements = true)
    {
        var log = fixture.Log!;
        var start = log.End;
        using var response = await request();
        Assert.Equal(expected, response.StatusCode);
        var statements = log.Since(start);
        if (expectStatements) Assert.NotEmpty(statements); // the log is on: a count of zero would prove nothing
        // One round trip is one implicit transaction: the batch's statements share it.
        return statements.Select(s => s.Transaction).Distinct().Count();
    }

    /// <summary>
    /// README: prepared statements keep their generic plan for unfiltered pages and searches, short terms included
    /// (re-planning cost ~9-40 ms on the 250k company); date and tag filters are planned per execution.
    /// </summary>
    [SkippableFact]
    public async Task SearchesKeepTheirGenericPlanDateFiltersArePlannedPerExecution()
    {
        var company = await fixture.Data.CompanyAsync();
        await fixture.Data.ContactAsync(company.Id, "Ann", "Lee");
        using var client = fixture.App.ClientWithKey(company.Key);
        foreach (var (path, mode) in new[]
                 {
                     ("/api/v1/contacts?search=a", "force_generic_plan"),
                     ("/api/v1/contacts?search=lee", "force_generic_plan"),
                     ("/api/v1/contacts?updated_since=2020-01-01T00:00:00Z", "force_custom_plan"),
                     ("/api/v1/contacts?search=lee&updated_since=2020-01-01T00:00:00Z", "force_custom_plan"),
                 })
        {
            var start = fixture.Log!.End;
            using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
            response.EnsureSuccessStatusCode();
            // A search's first request also counts its total in a command of its own (shared by concurrent requests): planned alike.
            var scopes = fixture.Log.Since(start).Where(s => s.Text.Contains("plan_cache_mode", StringComparison.Ordinal)).ToList();
            Assert.InRange(scopes.Count, 1, path.Contains("search=", StringComparison.Ordinal) && !path.Contains("updated_since", StringComparison.Ordinal) ? 2 : 1);
            Assert.All(scopes, scope => Assert.True(scope.Text.Contains(mode, StringComparison.Ordinal), $"{path}: {scope.Text}"));
        }
    }
}
