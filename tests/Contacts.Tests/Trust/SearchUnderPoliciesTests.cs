using System.Globalization;
using System.Net;
using System.Text.Json;
using Contacts.Tests.Infrastructure;
using Npgsql;

namespace Contacts.Tests.Trust;

/// <summary>
/// Under row-level security (on by default) a search of three characters or more still reads the per-company search
/// keys (migration 0014; the company-first trigram indexes before it), through contacts_search_ids (migration 0009): PostgreSQL cannot use an index for LIKE beneath a policy, so
/// without the function every such search read the whole company. Counted by the server's own index statistics.
/// </summary>
public sealed class SearchUnderPoliciesTests : OwnPostgresDatabase
{
    [SkippableFact]
    public async Task ASearchUnderThePoliciesReadsTheTrigramIndexesAndOnlyTheCallersCompany()
    {
        var data = new TestData(Database);
        var mine = await data.CompanyAsync();
        var theirs = await data.CompanyAsync();
        // Enough rows that reading the whole company, or the whole table, is not the cheaper plan.
        await ExecuteAsync($"""
            INSERT INTO contact (company_id, first_name, last_name, phone_number, created_at, updated_at)
            SELECT CASE WHEN i <= 5000 THEN {mine.Id} ELSE {theirs.Id} END, 'Filler' || i, 'Person', '+1 555 ' || lpad(i::text, 6, '0'), now(), now()
            FROM generate_series(1, 25000) i
            """);
        // As after a load: the GIN indexes' pending lists merged (until then they make a trigram scan look costly).
        await ExecuteAsync("VACUUM ANALYZE contact");
        var surname = await data.ContactAsync(mine.Id, "Anna", "Olszewska", phone: "+48 601 234 567");
        await data.ContactAsync(theirs.Id, "Anna", "Olszewska", phone: "+48 601 234 567");
        var byPhone = await data.ContactAsync(mine.Id, "Piotr", "Nowak", phone: "+48 777 918 273");

        var before = await IndexScansAsync();
        var name = "policies_" + Guid.NewGuid().ToString("N")[..8];
        await using (var app = await TestApp.StartAsync(Database, $"--ConnectionStrings:Contacts={Database.ConnectionString};Application Name={name}"))
        {
            using var client = app.ClientWithKey(mine.Key);
            Assert.Equal([surname], await IdsAsync(client, "/api/v1/contacts?search=olszewsk"));
            Assert.Equal([byPhone], await IdsAsync(client, "/api/v1/contacts?search=918%20273"));
        }
        // The function itself, as the API calls it: SECURITY DEFINER reads past the policies, so its own company condition is
        // all that keeps the other company's Anna Olszewska (same name, same phone) out, whichever branch matches.
        Assert.Equal([surname], await SearchIdsAsApiAsync(mine.Id, "%olszewsk%", null));
        Assert.Equal([surname], await SearchIdsAsApiAsync(mine.Id, "%no such text%", "%601234567%"));
        await ServerStatistics.WaitForSessionsToEndAsync(Database.ConnectionString, name);
        var after = await IndexScansAsync();
        // Two searches that match one contact each: a few index entries, not the company's 5,000 (nor the table's 25,000).
        Assert.True(after.RowsRead - before.RowsRead < 500, $"the two searches read {after.RowsRead - before.RowsRead} contact entries");
        // The text branch of each search and the digits branch of the phone one: three lookups of the keys (migration 0014).
        Assert.True(after.Keys - before.Keys >= 3, $"contact_company_search_keys was read {after.Keys - before.Keys} times, not 3");
    }

    [SkippableFact]
    public async Task WithoutTheCompanysSettingTheFunctionSeesNothingAndOnlyTheApiRoleMayCallIt()
    {
        var data = new TestData(Database);
        var company = await data.CompanyAsync();
        await data.ContactAsync(company.Id, "Anna", "Olszewska");
        var other = await data.CompanyAsync();
        Assert.Equal(0, await ScalarAsync($"SELECT count(*) FROM contacts_search_ids({company.Id}, '%olszewsk%', NULL)"));
        // Another company's setting: asking for this company's rows under it returns nothing either.
        Assert.Equal(0, await ScalarAsync($"SELECT count(*) FROM (SELECT set_config('contacts.company_id', '{other.Id}', false)) s, contacts_search_ids({company.Id}, '%olszewsk%', NULL)"));
        Assert.Equal(1, await ScalarAsync($"SELECT count(*) FROM (SELECT set_config('contacts.company_id', '{company.Id}', false)) s, contacts_search_ids({company.Id}, '%olszewsk%', NULL)"));
        Assert.Equal(0, await ScalarAsync("SELECT count(*) FROM information_schema.routine_privileges WHERE routine_name = 'contacts_search_ids' AND grantee = 'PUBLIC'"));
        Assert.Equal(1, await ScalarAsync("SELECT count(*) FROM pg_proc WHERE proname = 'contacts_search_ids' AND has_function_privilege('contacts_api', oid, 'EXECUTE')"));
    }

    [SkippableFact]
    public Task AServiceRoleThatMayNotCallTheFunctionRefusesToServeWithTheGrantToRun() =>
        // The grants of docs/isolation.md before migration 0009: everything but contacts_search_ids.
        AssertRefusesToServeAsync("contacts_nosearch_",
            "SELECT ON contact, tag, contact_tag, company_contact_count, tag_contact_count, contact_block_count, " +
            "contact_change, contact_change_purge, contact_change_txn, contact_change_history",
            "contacts_find_key(text), contacts_touch_keys(text[], timestamptz)",
            role => $"GRANT EXECUTE ON FUNCTION contacts_search_ids(bigint, text, text) TO {role};");

    [SkippableFact]
    public Task AServiceRoleThatMayNotReadTheChangePositionsRefusesToServeWithTheGrantToRun() =>
        // The grants of docs/isolation.md before migration 0010: every search reads the change positions for its total.
        AssertRefusesToServeAsync("contacts_nochanges_",
            "SELECT ON contact, tag, contact_tag, company_contact_count, tag_contact_count, contact_block_count",
            "contacts_find_key(text), contacts_touch_keys(text[], timestamptz), contacts_search_ids(bigint, text, text)",
            role => $"GRANT SELECT ON {ChangeTables} TO {role};");

    [SkippableFact]
    public Task AServiceRoleThatMayNotReadTheSearchImagesRefusesToServeWithTheGrantToRun() =>
        // The grants of docs/isolation.md before migration 0013: a stale total is repaired from the search images.
        AssertRefusesToServeAsync("contacts_noimages_",
            "SELECT ON contact, tag, contact_tag, company_contact_count, tag_contact_count, contact_block_count, " +
            "contact_change, contact_change_purge, contact_change_txn, contact_change_history",
            "contacts_find_key(text), contacts_touch_keys(text[], timestamptz), contacts_search_ids(bigint, text, text)",
            role => $"GRANT SELECT ON {ChangeTables} TO {role};");

    private const string ChangeTables = "contact_change, contact_change_purge, contact_change_txn, contact_change_history, " +
                                        "contact_search_image, contact_search_bulk, contact_search_image_purge";

    private async Task AssertRefusesToServeAsync(string rolePrefix, string tableGrant, string functions, Func<string, string> expectedGrant)
    {
        var role = rolePrefix + Guid.NewGuid().ToString("N")[..8];
        var database = new NpgsqlConnectionStringBuilder(Database.ConnectionString).Database;
        await ExecuteAsync($"""
            CREATE ROLE {role} LOGIN;
            GRANT CONNECT ON DATABASE {database} TO {role};
            GRANT USAGE ON SCHEMA public TO {role};
            GRANT {tableGrant} TO {role};
            GRANT EXECUTE ON FUNCTION {functions} TO {role};
            """);
        try
        {
            var connectionString = new NpgsqlConnectionStringBuilder(Database.ConnectionString) { Username = role }.ConnectionString;
            using var stderr = new StringWriter(CultureInfo.InvariantCulture);
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            var exit = await Contacts.Cli.ContactsCli.RunAsync(["serve", "--Database:Provider=postgres",
                $"--ConnectionStrings:Contacts={connectionString}", $"--ConnectionStrings:ContactsMigrations={Database.ConnectionString}",
                "--urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"], TextWriter.Null, stderr, bound.Token);
            Assert.False(bound.IsCancellationRequested, "serve started instead of refusing: " + stderr);
            Assert.NotEqual(0, exit);
            Assert.Contains(expectedGrant(role), stderr.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync($"DROP OWNED BY {role}; DROP ROLE {role};");
        }
    }

    /// <summary>contacts_search_ids called as the API calls it: as contacts_api, with the company's setting, in one transaction.</summary>
    private async Task<long[]> SearchIdsAsApiAsync(long company, string pattern, string? digits)
    {
        await using var connection = new NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var command = new NpgsqlCommand("""
            SELECT set_config('role', 'contacts_api', true), set_config('contacts.company_id', @company::text, true);
            SELECT id FROM contacts_search_ids(@company, @pattern, @digits) id ORDER BY id
            """, connection, transaction);
        command.Parameters.AddWithValue("company", company);
        command.Parameters.AddWithValue("pattern", pattern);
        command.Parameters.Add(new NpgsqlParameter("digits", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)digits ?? DBNull.Value });
        await using var reader = await command.ExecuteReaderAsync();
        await reader.NextResultAsync();
        var ids = new List<long>();
        while (await reader.ReadAsync()) ids.Add(reader.GetInt64(0));
        return [.. ids];
    }

    /// <summary>Scans of the search keys' index, and the entries read from the contact table by any scan of it or its indexes.</summary>
    private async Task<(long Keys, long RowsRead)> IndexScansAsync() => (
        await ScalarAsync("SELECT idx_scan FROM pg_stat_user_indexes WHERE indexrelname = 'contact_company_search_keys'"),
        await ScalarAsync("""
            SELECT (SELECT coalesce(seq_tup_read, 0) FROM pg_stat_user_tables WHERE relname = 'contact')
                 + (SELECT coalesce(sum(idx_tup_read), 0) FROM pg_stat_user_indexes WHERE relname = 'contact')
            """));

    private static async Task<long[]> IdsAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {body}");
        using var json = JsonDocument.Parse(body);
        return [.. json.RootElement.GetProperty("data").EnumerateArray().Select(c => long.Parse(c.GetProperty("id").GetString()!, CultureInfo.InvariantCulture))];
    }
}
