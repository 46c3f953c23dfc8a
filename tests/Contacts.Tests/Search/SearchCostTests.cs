using System.Net;
using System.Text.Json;
using Contacts.Data;
using Contacts.Data.Contacts;
using Contacts.Data.Dialects;
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
}

/// <summary>Short-term totals come from a cache validated against the database's data version: exact after any write.</summary>
public sealed class PostgresCachedTotalTests(PostgresAppFixture fixture) : IClassFixture<PostgresAppFixture>
{
    [SkippableFact]
    public async Task CachedTotalsStayExactAfterPlainSqlWrites()
    {
        Skip.If(fixture.SkipReason is not null, fixture.SkipReason);
        var company = await fixture.Data.CompanyAsync();
        for (var i = 0; i < 5; i++) await fixture.Data.ContactAsync(company.Id, "Ann", $"Lee{i}");
        var other = await fixture.Data.ContactAsync(company.Id, "Bob", "Ross");
        using var client = fixture.App.ClientWithKey(company.Key);

        Assert.Equal(5, await TotalAsync(client, "an"));
        Assert.Equal(5, await TotalAsync(client, "an")); // from the cache
        var dialect = fixture.App.Services.GetRequiredService<ContactsDatabase>().Dialect;
        Assert.True(dialect.SearchTotals.TryGet(company.Id, "an", out _, out var cached));
        Assert.Equal(5, cached);

        await ExecuteAsync($"UPDATE contact SET first_name = 'Anna' WHERE id = {other}");
        Assert.Equal(6, await TotalAsync(client, "an"));
        await ExecuteAsync($"INSERT INTO contact (company_id, first_name, created_at, updated_at) VALUES ({company.Id}, 'Dan', now(), now())");
        Assert.Equal(7, await TotalAsync(client, "an"));
        await ExecuteAsync($"DELETE FROM contact WHERE id = {other}");
        Assert.Equal(6, await TotalAsync(client, "an"));
        var tag = await fixture.Data.TagAsync(company.Id, "Zanzibar");
        var bob = await fixture.Data.ContactAsync(company.Id, "Bob", "Ross");
        Assert.Equal(6, await TotalAsync(client, "an"));
        await fixture.Data.TagContactAsync(company.Id, bob, tag);
        Assert.Equal(7, await TotalAsync(client, "an"));
    }

    private async Task ExecuteAsync(string sql)
    {
        var db = fixture.Database.Db;
        await using var connection = await db.Dialect.OpenAsOwnerAsync(default);
        await using var command = db.Command(connection, sql);
        await command.ExecuteNonQueryAsync();
    }

    internal static async Task<long> TotalAsync(HttpClient client, string term)
    {
        using var response = await client.GetAsync($"/api/v1/contacts?search={Uri.EscapeDataString(term)}");
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("totalRecords").GetInt64();
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
        Assert.Equal(300, await PostgresCachedTotalTests.TotalAsync(client, "a"));
    }
}

/// <summary>One key runs at most RateLimits:ConcurrentSearchesPerKey searches at once; the next is answered 429.</summary>
public sealed class SearchConcurrencyTests(PostgresAppFixture fixture) : IClassFixture<PostgresAppFixture>
{
    [SkippableFact]
    public async Task SearchPastTheKeysConcurrencyLimitAnswers429()
    {
        Skip.If(fixture.SkipReason is not null, fixture.SkipReason);
        await using var app = await TestApp.StartAsync(fixture.Database, "--RateLimits:ConcurrentSearchesPerKey=1", "--RateLimits:QueuedSearchesPerKey=0");
        var company = await fixture.Data.CompanyAsync();
        await fixture.Data.ContactAsync(company.Id, "Ann", "Lee");
        using var client = app.ClientWithKey(company.Key);
        await client.GetAsync("/api/v1/contacts"); // warm the key cache before the table is locked

        var db = fixture.Database.Db;
        await using var locker = await db.Dialect.OpenAsOwnerAsync(default);
        await using var transaction = await locker.BeginTransactionAsync();
        await using (var lockTable = db.Command(locker, "LOCK TABLE contact IN ACCESS EXCLUSIVE MODE", transaction))
            await lockTable.ExecuteNonQueryAsync();

        var first = client.GetAsync("/api/v1/contacts?search=ann");
        await WaitForLockWaitAsync(db);
        using (var second = await client.GetAsync("/api/v1/contacts?search=lee"))
        {
            Assert.Equal((HttpStatusCode)429, second.StatusCode);
            Assert.NotNull(second.Headers.RetryAfter);
        }

        await transaction.RollbackAsync();
        using var done = await first;
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        using var after = await client.GetAsync("/api/v1/contacts?search=lee");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    private static async Task WaitForLockWaitAsync(ContactsDatabase db)
    {
        for (var i = 0; i < 600; i++)
        {
            await using var connection = await db.Dialect.OpenAsOwnerAsync(default);
            await using var command = db.Command(connection,
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()");
            if (Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture) > 0) return;
            await Task.Delay(50);
        }
        throw new TimeoutException("the first search never waited for the lock");
    }
}

/// <summary>
/// On SQLite a company that does not hold half the file's contacts takes no candidates from the FTS index shared by all
/// companies: with the index emptied, its search still finds its contact (and the dominant company's, which uses it, finds none).
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
        Assert.Equal(1, await PostgresCachedTotalTests.TotalAsync(smallClient, "son"));
        Assert.Equal(40, await PostgresCachedTotalTests.TotalAsync(bigClient, "son"));

        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection(database.ConnectionString))
        {
            await connection.OpenAsync();
            await using var drop = connection.CreateCommand();
            drop.CommandText = "INSERT INTO contact_search (contact_search) VALUES ('delete-all');";
            await drop.ExecuteNonQueryAsync();
        }

        Assert.Equal(1, await PostgresCachedTotalTests.TotalAsync(smallClient, "son"));
        Assert.Equal(0, await PostgresCachedTotalTests.TotalAsync(bigClient, "son"));
    }
}
