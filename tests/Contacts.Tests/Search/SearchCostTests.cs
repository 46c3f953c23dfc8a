using System.Net;
using System.Text.Json;
using Contacts.Data;
using Contacts.Data.Contacts;
using Contacts.Data.Dialects;
using Contacts.Data.Keys;
using Contacts.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Contacts.Tests.Search;

public sealed class ShortTermTests
{
    [Theory]
    [InlineData("a", true)]
    [InlineData("al", true)]
    [InlineData("😀😀", true)] // four UTF-16 units, two text elements
    [InlineData("👍🏽👍🏽", true)] // emoji with a skin-tone modifier: one element each
    [InlineData("ali", false)]
    [InlineData("😀😀😀", false)]
    public void TermLengthCountsTextElements(string folded, bool shortTerm) =>
        Assert.Equal(shortTerm, ContactQueries.IsShortTerm(folded));

    [Theory]
    [InlineData(250_000, 50, 0, false)] // a rare surname: 50,000 rows to walk for 10 matches
    [InlineData(250_000, 6_000, 0, true)] // `tho`: 420 rows
    [InlineData(250_000, 1_269, 0, true)] // `бори`: about 1,970 rows
    [InlineData(250_000, 6_000, 5_000, false)] // `tho`, page 501: 208,750 rows
    [InlineData(3_000, 1, 0, true)] // a small company walks its few rows whatever the term
    [InlineData(250_000, 0, 0, false)]
    public void ADenseTermWalksARareOneLooksUp(long size, long total, long offset, bool walks) =>
        Assert.Equal(walks, ContactQueries.ScansInIdOrder(new PageWindow(10, offset), new SearchTotals.Entry(0, total, size)));
}

/// <summary>
/// Short-term totals come from a cache validated against the change feed's table (SearchTotals): exact after any write,
/// by anyone, including a transaction that was open while the total was counted and commits afterwards.
/// </summary>
public abstract class CachedTotalTests(AppFixture fixture)
{
    [SkippableFact]
    public async Task CachedTotalsStayExactAfterPlainSqlWrites()
    {
        var company = await fixture.Data.CompanyAsync();
        for (var i = 0; i < 5; i++) await fixture.Data.ContactAsync(company.Id, "Ann", $"Lee{i}");
        var other = await fixture.Data.ContactAsync(company.Id, "Bob", "Ross");
        using var client = fixture.App.ClientWithKey(company.Key);

        Assert.Equal(5, await TotalAsync(client, "an"));
        Assert.Equal(5, await TotalAsync(client, "an")); // from the cache
        var totals = fixture.App.Services.GetRequiredService<ContactsDatabase>().SearchTotals;
        Assert.Equal(5, totals.Find(company.Id, "an")?.Total);

        // On SQLite the writer computes the search column itself (docs/schema.md); on PostgreSQL the database does.
        await ExecuteAsync(fixture.Database.Provider == DatabaseProvider.Postgres
            ? $"UPDATE contact SET first_name = 'Anna' WHERE id = {other}"
            : $"UPDATE contact SET first_name = 'Anna', search_text = 'anna ross' WHERE id = {other}");
        Assert.Equal(6, await TotalAsync(client, "an"));
        await fixture.Data.ContactAsync(company.Id, "Dan", "Dare");
        Assert.Equal(7, await TotalAsync(client, "an"));
        await ExecuteAsync($"DELETE FROM contact WHERE id = {other}");
        Assert.Equal(6, await TotalAsync(client, "an"));
        var tag = await fixture.Data.TagAsync(company.Id, "Zanzibar");
        var bob = await fixture.Data.ContactAsync(company.Id, "Bob", "Ross");
        Assert.Equal(6, await TotalAsync(client, "an"));
        await fixture.Data.TagContactAsync(company.Id, bob, tag);
        Assert.Equal(7, await TotalAsync(client, "an"));
        // Another company's writes leave this company's entry valid, and its own total is its own.
        var neighbour = await fixture.Data.CompanyAsync();
        await fixture.Data.ContactAsync(neighbour.Id, "Hannah", "Anders");
        Assert.Equal(7, await TotalAsync(client, "an"));
    }

    /// <summary>
    /// A write makes the company's cached totals stale: the requests that arrive together for the stale term share one
    /// count (single flight) instead of each counting the whole company, and every one answers the new total.
    /// </summary>
    [SkippableFact]
    public async Task ConcurrentRequestsForAStaleTotalCountItOnce()
    {
        var company = await fixture.Data.CompanyAsync();
        for (var i = 0; i < 30; i++) await fixture.Data.ContactAsync(company.Id, "Ann", $"Filler{i}");
        using var client = fixture.App.ClientWithKey(company.Key);
        Assert.Equal(30, await TotalAsync(client, "an"));
        await fixture.Data.ContactAsync(company.Id, "Anna", "Late");
        var totals = fixture.App.Services.GetRequiredService<ContactsDatabase>().SearchTotals;
        var before = totals.Counted + totals.Repaired;

        // Sixteen keys of the company, so that the per-key search limit does not queue them one after another.
        var keys = new List<string>();
        for (var i = 0; i < 16; i++) keys.Add((await KeyQueries.CreateAsync(fixture.Database.Db, company.Id, $"together{i}")).Key);
        var clients = keys.Select(fixture.App.ClientWithKey).ToList();
        var answers = await Task.WhenAll(clients.Select(c => TotalAsync(c, "an")));
        foreach (var c in clients) c.Dispose();

        Assert.All(answers, total => Assert.Equal(31, total));
        Assert.Equal(1, totals.Counted + totals.Repaired - before); // one repair (or count) for the sixteen
    }

    [SkippableFact]
    public async Task AWriteCommittedAfterTheTotalWasCountedIsCountedNextTime()
    {
        var company = await fixture.Data.CompanyAsync();
        await fixture.Data.ContactAsync(company.Id, "Ann", "Lee");
        var zed = await fixture.Data.ContactAsync(company.Id, "Zed", "Zorro");
        using var client = fixture.App.ClientWithKey(company.Key);
        var db = fixture.Database.Db;

        // A writer that began (and wrote) before the total below was counted, and commits after it: on PostgreSQL its
        // change gets its position when it commits, above the horizon the count saw.
        await using var writer = await db.Dialect.OpenAsOwnerAsync(default);
        await using var transaction = await writer.BeginTransactionAsync();
        await using (var insert = db.Command(writer, fixture.Database.Provider == DatabaseProvider.Postgres
            ? $"INSERT INTO contact (company_id, first_name, created_at, updated_at) VALUES ({company.Id}, 'Anton', now(), now())"
            : $"INSERT INTO contact (company_id, first_name, created_at, updated_at, search_text) VALUES ({company.Id}, 'Anton', '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z', 'anton')",
            transaction))
        {
            await insert.ExecuteNonQueryAsync();
        }
        // ... while a later transaction changes another of the company's contacts and commits (PostgreSQL only: SQLite
        // has one writer at a time), so that the newest change the count can see is newer than the open writer's.
        if (fixture.Database.Provider == DatabaseProvider.Postgres) await ExecuteAsync($"UPDATE contact SET last_name = 'Zulu' WHERE id = {zed}");
        Assert.Equal(1, await TotalAsync(client, "an"));
        Assert.Equal(1, await TotalAsync(client, "an"));
        await transaction.CommitAsync();
        Assert.Equal(2, await TotalAsync(client, "an"));
    }

    /// <summary>
    /// Two terms that fold alike but are matched differently never share a cached total: `+44` is phone-like (matched on
    /// phone digits too), fullwidth `＋４４` folds to the same text but is not.
    /// </summary>
    [SkippableFact]
    public async Task TermsThatFoldAlikeButMatchDifferentlyKeepTheirOwnTotals()
    {
        var company = await fixture.Data.CompanyAsync();
        await fixture.Data.ContactAsync(company.Id, "Ann", "Lee", phone: "+1 440 555 0100"); // digits hold 44, the text not +44
        using var client = fixture.App.ClientWithKey(company.Key);
        Assert.Equal(1, await TotalAsync(client, "+44"));
        Assert.Equal(0, await TotalAsync(client, "＋４４"));
        Assert.Equal(1, await TotalAsync(client, "+44"));
    }

    /// <summary>
    /// A term of three characters or more whose total is cached and whose matches are dense is paged in id order
    /// (ContactQueries.ScansInIdOrder) instead of through the trigram lookup: the same pages and totals either way,
    /// matches by tag included.
    /// </summary>
    [SkippableFact]
    public async Task ADenseTermPagedInIdOrderAnswersTheSamePages()
    {
        var company = await fixture.Data.CompanyAsync();
        var thorough = await fixture.Data.TagAsync(company.Id, "Thorough");
        var expected = new List<string>();
        for (var i = 0; i < 30; i++)
        {
            // A third match by name, a third by their tag only, a third not at all.
            var id = (i % 3) switch
            {
                0 => await fixture.Data.ContactAsync(company.Id, "Thomas", $"N{i}"),
                1 => await fixture.Data.ContactAsync(company.Id, "Ann", $"N{i}", tags: [thorough]),
                _ => await fixture.Data.ContactAsync(company.Id, "Bob", $"N{i}"),
            };
            if (i % 3 != 2) expected.Add(id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        using var client = fixture.App.ClientWithKey(company.Key);
        var totals = fixture.App.Services.GetRequiredService<ContactsDatabase>().SearchTotals;

        var looked = await PagesAsync(client, "THO");
        var entry = Assert.NotNull(totals.Find(company.Id, "tho"));
        Assert.Equal((20L, 30L), (entry.Total, entry.CompanySize));
        Assert.All(Enumerable.Range(0, 4), p => Assert.True(ContactQueries.ScansInIdOrder(new PageWindow(5, p * 5), entry)));
        var walked = await PagesAsync(client, "tho");
        Assert.Equal(looked.Select(p => $"{string.Join(',', p.Ids)} of {p.Total}"), walked.Select(p => $"{string.Join(',', p.Ids)} of {p.Total}"));
        Assert.Equal(expected, walked.SelectMany(p => p.Ids));
        Assert.All(walked, p => Assert.Equal(20, p.Total));
    }

    /// <summary>
    /// A rare term's pages, once its total is known, are its first matches in id order, cut before their rows are read
    /// (SearchSql.FirstMatches): every page of three and the page past the end, against the ids the test wrote, with
    /// matches by name, by email and by a tag alone, spread over a company of 20,000.
    /// </summary>
    [SkippableFact]
    public async Task ARareTermsPagesWithAKnownTotalAreItsMatchesInIdOrder()
    {
        var company = await fixture.Data.CompanyAsync();
        var family = await fixture.Data.TagAsync(company.Id, "Wójcikowie");
        var expected = new List<string>();
        for (var group = 0; group < 3; group++)
        {
            await fixture.Data.FillAsync(company.Id, 6_700);
            expected.Add(Id(await fixture.Data.ContactAsync(company.Id, "Ewa", "Wójcik")));
            expected.Add(Id(await fixture.Data.ContactAsync(company.Id, "Jan", "Nowak", $"wojcik{group}@example.com")));
            expected.Add(Id(await fixture.Data.ContactAsync(company.Id, "Ola", "Lis", tags: [family])));
        }
        using var client = fixture.App.ClientWithKey(company.Key);
        var totals = fixture.App.Services.GetRequiredService<ContactsDatabase>().SearchTotals;
        Assert.Equal(9, await TotalAsync(client, "Wójcik"));
        var entry = Assert.NotNull(totals.Find(company.Id, "wojcik"));
        Assert.All(Enumerable.Range(0, 4), p => Assert.False(ContactQueries.ScansInIdOrder(new PageWindow(3, p * 3), entry)));

        var pages = await PagesAsync(client, "W%C3%B3jcik", limit: 3);
        Assert.All(pages, p => Assert.Equal(9, p.Total));
        Assert.Equal([string.Join(',', expected[..3]), string.Join(',', expected[3..6]), string.Join(',', expected[6..]), ""],
            pages.Select(p => string.Join(',', p.Ids)));
    }

    private static string Id(long id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Pages 1 to 4 of a search (the term as it goes in the query string): each page's ids and total.</summary>
    private static async Task<List<(List<string> Ids, long Total)>> PagesAsync(HttpClient client, string term, int limit = 5)
    {
        var pages = new List<(List<string> Ids, long Total)>();
        for (var page = 1; page <= 4; page++)
        {
            using var response = await client.GetAsync(new Uri($"/api/v1/contacts?limit={limit}&page={page}&search={term}", UriKind.Relative));
            response.EnsureSuccessStatusCode();
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            pages.Add(([.. json.RootElement.GetProperty("data").EnumerateArray().Select(c => c.GetProperty("id").GetString()!)],
                json.RootElement.GetProperty("totalRecords").GetInt64()));
        }
        return pages;
    }

    protected async Task ExecuteAsync(string sql)
    {
        var db = fixture.Database.Db;
        await using var connection = await db.Dialect.OpenAsOwnerAsync(default);
        await using var command = db.Command(connection, sql);
        await command.ExecuteNonQueryAsync();
    }

    internal static async Task<long> TotalAsync(HttpClient client, string term)
    {
        using var response = await client.GetAsync(new Uri($"/api/v1/contacts?search={Uri.EscapeDataString(term)}", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("totalRecords").GetInt64();
    }
}

public sealed class SqliteCachedTotalTests(SqliteAppFixture fixture) : CachedTotalTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class PostgresCachedTotalTests(PostgresAppFixture fixture) : CachedTotalTests(fixture), IClassFixture<PostgresAppFixture>
{
    /// <summary>
    /// The cache is really used: with the change triggers switched off (so a write leaves no trace in contact_change),
    /// a repeated search answers the total it counted before the write, without counting again.
    /// </summary>
    [SkippableFact]
    public async Task ARepeatedSearchDoesNotCountAgain()
    {
        var company = await fixture.Data.CompanyAsync();
        await fixture.Data.ContactAsync(company.Id, "Ann", "Lee");
        using var client = fixture.App.ClientWithKey(company.Key);
        Assert.Equal(1, await TotalAsync(client, "an"));
        Assert.Equal(1, await TotalAsync(client, "lee"));
        // The entry's horizon is the company's newest change position, whatever other transactions of the shared server
        // are open (with the cluster's xmin it stayed below Ann's change while any of them was, and every request recounted).
        var totals = fixture.App.Services.GetRequiredService<ContactsDatabase>().SearchTotals;
        var annChange = await ServerStatistics.ScalarAsync(fixture.Database.ConnectionString,
            $"SELECT max(seq) FROM contact_change_txn WHERE company_id = {company.Id}");
        Assert.Equal(annChange, totals.Find(company.Id, "an")?.Since);
        Assert.Equal(annChange, totals.Find(company.Id, "lee")?.Since);
        await ExecuteAsync($"""
            ALTER TABLE contact DISABLE TRIGGER contact_change_insert;
            INSERT INTO contact (company_id, first_name, last_name, created_at, updated_at) VALUES ({company.Id}, 'Anton', 'Lee', now(), now());
            ALTER TABLE contact ENABLE TRIGGER contact_change_insert;
            """);
        Assert.Equal(1, await TotalAsync(client, "an"));
        Assert.Equal(1, await TotalAsync(client, "lee")); // three characters and more: cached as well
        Assert.Equal(1, await TotalAsync(client, "LÉE")); // the same folded term, the same entry
        Assert.Equal(2, await TotalAsync(client, "n")); // another term: counted
    }
}

/// <summary>A SQLite statement past the time limit is interrupted and answered 503; the next request is served.</summary>
public sealed class SqliteTimeLimitTests
{
    [Fact]
    public async Task StatementPastTheLimitAnswers503AndTheServerKeepsServing()
    {
        await using var database = await TestDatabase.SqliteAsync();
        await using var app = await TestApp.StartAsync(database);
        var data = new TestData(database);
        var company = await data.CompanyAsync();
        for (var i = 0; i < 300; i++) await data.ContactAsync(company.Id, "Ann", $"Lee{i}", $"ann{i}@x.test");
        using var client = app.ClientWithKey(company.Key);
        var dialect = (SqliteDialect)app.Services.GetRequiredService<ContactsDatabase>().Dialect;

        dialect.StatementTimeLimit = TimeSpan.Zero; // every statement is past its deadline at the first check
        using (var slow = await client.GetAsync("/api/v1/contacts?search=a"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, slow.StatusCode);
            Assert.NotNull(slow.Headers.RetryAfter);
        }

        dialect.StatementTimeLimit = TimeSpan.FromSeconds(30);
        Assert.Equal(300, await CachedTotalTests.TotalAsync(client, "a"));
    }
}

/// <summary>
/// On SQLite a company that holds less than a tenth of the file's contacts takes no candidates from the FTS index shared
/// by all companies: with the index emptied, its search still finds its contact (and the dominant company's, which uses
/// it, finds none).
/// </summary>
public sealed class SqliteCandidateIsolationTests
{
    [Fact]
    public async Task SmallCompanySearchReadsNoSharedFtsEntries()
    {
        await using var database = await TestDatabase.SqliteAsync();
        await using var app = await TestApp.StartAsync(database);
        var data = new TestData(database);
        var small = await data.CompanyAsync();
        var big = await data.CompanyAsync();
        await data.ContactAsync(small.Id, "Sonja", "Berg");
        await data.ContactAsync(small.Id, "Eve", "Nord");
        for (var i = 0; i < 40; i++) await data.ContactAsync(big.Id, "Carson", $"Lee{i}");
        using var smallClient = app.ClientWithKey(small.Key);
        using var bigClient = app.ClientWithKey(big.Key);
        Assert.Equal(1, await CachedTotalTests.TotalAsync(smallClient, "son"));
        Assert.Equal(40, await CachedTotalTests.TotalAsync(bigClient, "son"));

        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection(database.ConnectionString))
        {
            await connection.OpenAsync();
            await using var drop = connection.CreateCommand();
            drop.CommandText = "INSERT INTO contact_search (contact_search) VALUES ('delete-all');";
            await drop.ExecuteNonQueryAsync();
        }

        // Terms not asked before: a cached total would not show where the candidates come from.
        Assert.Equal(1, await CachedTotalTests.TotalAsync(smallClient, "onj"));
        Assert.Equal(0, await CachedTotalTests.TotalAsync(bigClient, "ars"));
    }
}
