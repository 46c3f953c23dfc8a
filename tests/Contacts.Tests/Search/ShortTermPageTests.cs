using Contacts.Data;
using Contacts.Data.Contacts;
using Contacts.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Contacts.Tests.Search;

/// <summary>
/// docs/search-performance.md: the page of a short term walks the company in id order and probes tags only for the rows
/// that fail the text test; PostgreSQL never hashes every contact carrying a matching tag first (the page's probe ends
/// in OFFSET 0).
/// </summary>
public sealed class ShortTermPageTests : OwnPostgresDatabase
{
    /// <summary>With its total cached, a short term's request runs the page alone: it reads the page's tags, not the company's (server statistics).</summary>
    [SkippableFact]
    public async Task AShortTermsPageReadsNoTagEntriesWhenItsRowsMatchByText()
    {
        // Every contact matches `n` by its name and carries "Nordic", which matches `n` as well.
        var company = await TaggedCompanyAsync("Nordic", "'Ann'");
        var read = await TagEntriesReadBySearchAsync(company, "n", "n", 20000);
        // The page's ten contacts carry ten tags (read by the page's own join); hashing first would read all 20,000.
        Assert.True(read < 100, $"the page read {read} contact_tag entries");
    }

    /// <summary>
    /// A rare short term that no tag name matches: the page walks the company in id order past thousands of contacts
    /// that fail the text test, and none of them is probed for a tag (whether any tag matches is known once per
    /// statement). Every contact carries a tag, so each probe would read a contact_tag entry.
    /// </summary>
    [SkippableFact]
    public async Task AWalkedRowIsNotProbedForTagsWhenNoTagMatches()
    {
        var company = await TaggedCompanyAsync("Sales", "CASE WHEN i > 19990 THEN 'Дарья' ELSE 'Bob' END");
        var read = await TagEntriesReadBySearchAsync(company, "Да", "да", 10);
        // The page's ten contacts' tags (its own join), not one entry per walked contact (19,990).
        Assert.True(read < 100, $"the page read {read} contact_tag entries");
    }

    /// <summary>A company of 20,000 contacts named by <paramref name="firstName"/> (SQL over i), each carrying one tag.</summary>
    private async Task<TestCompany> TaggedCompanyAsync(string tag, string firstName)
    {
        var data = new TestData(Database);
        var company = await data.CompanyAsync();
        var tagId = await data.TagAsync(company.Id, tag);
        await ExecuteAsync($"""
            INSERT INTO contact (company_id, first_name, last_name, created_at, updated_at)
            SELECT {company.Id}, {firstName}, 'Filler' || i, now(), now() FROM generate_series(1, 20000) i;
            INSERT INTO contact_tag (company_id, contact_id, tag_id) SELECT {company.Id}, id, {tagId} FROM contact WHERE company_id = {company.Id};
            """);
        await ExecuteAsync("VACUUM ANALYZE contact");
        await ExecuteAsync("VACUUM ANALYZE contact_tag");
        return company;
    }

    /// <summary>
    /// One search request whose total is already cached under its folded term, as a first request would have cached it
    /// (so the request validates it and runs the page alone), and the contact_tag entries the server read for it.
    /// </summary>
    private async Task<long> TagEntriesReadBySearchAsync(TestCompany company, string term, string folded, long total)
    {
        var horizon = await ScalarAsync($"SELECT max(seq) FROM contact_change_txn WHERE company_id = {company.Id}");
        var before = await TagEntriesReadAsync();
        var name = "shortpage_" + Guid.NewGuid().ToString("N")[..8];
        await using (var app = await TestApp.StartAsync(Database, $"--ConnectionStrings:Contacts={Database.ConnectionString};Application Name={name}"))
        {
            app.Services.GetRequiredService<ContactsDatabase>().SearchTotals.Set(company.Id, folded, new SearchTotals.Entry(horizon, total, 20000));
            using var client = app.ClientWithKey(company.Key);
            Assert.Equal(total, await CachedTotalTests.TotalAsync(client, term));
        }
        await ServerStatistics.WaitForSessionsToEndAsync(Database.ConnectionString, name);
        return await TagEntriesReadAsync() - before;
    }

    /// <summary>
    /// Where the planner does hash when it may: a short term with a date filter is planned for its values (custom
    /// plans), a quarter of the rows fail the text test and every contact carries a matching tag, as on the 250k company
    /// where the page then took 1.27 s. The plans the server ran (auto_explain) show the page's probe per row.
    /// </summary>
    [SkippableFact]
    public async Task TheProbeIsNeverHashedEvenWherePlannedForItsValues()
    {
        var data = new TestData(Database);
        var company = await data.CompanyAsync();
        var nordic = await data.TagAsync(company.Id, "Nordic");
        await ExecuteAsync($"""
            INSERT INTO contact (company_id, first_name, last_name, created_at, updated_at)
            SELECT {company.Id}, CASE WHEN i % 4 = 0 THEN 'Bob' ELSE 'Ann' END, 'Filler' || i, now(), now() FROM generate_series(1, 20000) i;
            INSERT INTO contact_tag (company_id, contact_id, tag_id) SELECT {company.Id}, id, {nordic} FROM contact WHERE company_id = {company.Id};
            """);
        await ExecuteAsync("VACUUM ANALYZE contact");
        await ExecuteAsync("VACUUM ANALYZE contact_tag");
        var database = new NpgsqlConnectionStringBuilder(Database.ConnectionString).Database;
        await ExecuteAsync($"""
            ALTER DATABASE {database} SET session_preload_libraries = 'auto_explain';
            ALTER DATABASE {database} SET auto_explain.log_min_duration = 0;
            """);
        var server = await PostgresServer.SharedAsync();
        var start = server.LogEnd;

        await using (var app = await TestApp.StartAsync(Database))
        {
            using var client = app.ClientWithKey(company.Key);
            using var response = await client.GetAsync(new Uri("/api/v1/contacts?search=n&updated_since=2000-01-01T00:00:00Z", UriKind.Relative));
            response.EnsureSuccessStatusCode();
        }

        var plans = server.LogSince(start).Split("plan:", StringSplitOptions.None).Where(p => p.Contains("ORDER BY c.id, t.id", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(plans); // auto_explain logged the page: no plan would prove nothing
        Assert.All(plans, p => Assert.DoesNotContain("hashed SubPlan", p, StringComparison.Ordinal));
    }

    private Task<long> TagEntriesReadAsync() => ScalarAsync("""
        SELECT (SELECT coalesce(seq_tup_read, 0) FROM pg_stat_user_tables WHERE relname = 'contact_tag')
             + (SELECT coalesce(sum(idx_tup_read), 0) FROM pg_stat_user_indexes WHERE relname = 'contact_tag')
        """);
}
