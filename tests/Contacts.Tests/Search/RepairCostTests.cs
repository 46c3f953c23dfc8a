using Contacts.Data;
using Contacts.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Contacts.Tests.Search;

/// <summary>
/// A stale total's repair reads the changed contacts, not the company (issue 19): counted by the server's own table and
/// index statistics, which a session flushes when it ends (the service runs without a connection pool here, so each of
/// its sessions ends with its request).
/// </summary>
public sealed class RepairCostTests : OwnPostgresDatabase
{
    [SkippableFact]
    public async Task ARepairReadsOnlyTheChangedContacts()
    {
        var data = new TestData(Database);
        var company = await data.CompanyAsync();
        await ExecuteAsync($"""
            INSERT INTO contact (company_id, first_name, last_name, created_at, updated_at)
            SELECT {company.Id}, CASE WHEN i % 2 = 0 THEN 'Hanna' ELSE 'Filip' END, 'Person' || i, now(), now()
            FROM generate_series(1, 5000) i
            """);
        await ExecuteAsync("VACUUM ANALYZE contact");
        var name = "repair_" + Guid.NewGuid().ToString("N")[..8];
        await using var app = await TestApp.StartAsync(Database,
            $"--ConnectionStrings:Contacts={Database.ConnectionString};Application Name={name};Pooling=false");
        using var client = app.ClientWithKey(company.Key);
        var totals = app.Services.GetRequiredService<ContactsDatabase>().SearchTotals;
        Assert.Equal(2500, await CachedTotalTests.TotalAsync(client, "an")); // a short term: counted over the company
        Assert.Equal(2500, await CachedTotalTests.TotalAsync(client, "fili")); // a longer one: through the trigram index
        await ServerStatistics.WaitForSessionsToEndAsync(Database.ConnectionString, name);
        var counting = await RowsReadAsync();

        // Another application renames three contacts: two Filips become Hannas, one Hanna leaves.
        var writer = $"{Database.ConnectionString};Application Name={name}_writer";
        await ServerStatistics.ScalarAsync(writer, $"""
            UPDATE contact SET first_name = 'Hanna' WHERE id IN (SELECT id FROM contact WHERE company_id = {company.Id} AND first_name = 'Filip' ORDER BY id LIMIT 2);
            UPDATE contact SET first_name = 'Otto' WHERE id = (SELECT id FROM contact WHERE company_id = {company.Id} AND first_name = 'Hanna' ORDER BY id DESC LIMIT 1);
            """);
        await ServerStatistics.WaitForSessionsToEndAsync(Database.ConnectionString, name + "_writer");
        await ServerStatistics.WaitForSessionsToEndAsync(Database.ConnectionString, name);
        var before = await RowsReadAsync();
        var repaired = totals.Repaired;
        Assert.Equal(2501, await CachedTotalTests.TotalAsync(client, "an"));
        Assert.Equal(2498, await CachedTotalTests.TotalAsync(client, "fili"));
        await ServerStatistics.WaitForSessionsToEndAsync(Database.ConnectionString, name);
        var after = await RowsReadAsync();

        // The two requests read their pages (10 rows each, and the walk to them) and the three changed contacts: not the
        // 5,000 the counts read (each count reads the company once).
        Assert.True(after - before < 200, $"the two repaired searches read {after - before} contact entries (the counts read {counting})");
        Assert.True(counting > 5000, $"the counts read {counting} contact entries");
        Assert.Equal(2, totals.Repaired - repaired);
    }

    /// <summary>Entries read from the contact table by any scan of it or of its indexes, on the whole server.</summary>
    private Task<long> RowsReadAsync() => ScalarAsync("""
        SELECT (SELECT coalesce(seq_tup_read, 0) FROM pg_stat_user_tables WHERE relname = 'contact')
             + (SELECT coalesce(sum(idx_tup_read), 0) FROM pg_stat_user_indexes WHERE relname = 'contact')
        """);
}
