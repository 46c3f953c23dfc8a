using System.Net;
using System.Text.Json;
using Contacts.Data;
using Contacts.Data.Dialects;
using Contacts.Tests.Infrastructure;
using Npgsql;

namespace Contacts.Tests.Trust;

/// <summary>
/// Row-level security on by default: with one connection string naming the superuser (as in development and in these
/// tests), the API's statements still run under the policies, as the role contacts_api (migration 0008).
/// </summary>
public sealed class RowLevelSecurityByDefaultTests : OwnPostgresDatabase
{

    private async Task SuperuserAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    [SkippableFact]
    public async Task TheApiReadsUnderThePoliciesEvenWhenItConnectsAsTheSuperuser()
    {
        var data = new TestData(Database);
        var company = await data.CompanyAsync();
        var shown = await data.ContactAsync(company.Id, "Shown", "One");
        await data.ContactAsync(company.Id, "Hidden", "Two");
        // A policy only roles under row-level security obey: the superuser and the owner would still see "Hidden".
        await SuperuserAsync("CREATE POLICY hide_for_test ON contact AS RESTRICTIVE USING (first_name IS DISTINCT FROM 'Hidden')");
        Assert.True(new NpgsqlConnectionStringBuilder(Database.ConnectionString).Username == "postgres");

        await using var app = await TestApp.StartAsync(Database);
        using var client = app.ClientWithKey(company.Key);
        Assert.Equal([shown], await IdsAsync(client, "/api/v1/contacts?limit=100"));
        Assert.Equal([shown], await IdsAsync(client, "/api/v1/contacts?search=o"));
        Assert.Empty(await IdsAsync(client, "/api/v1/contacts?search=two"));
        Assert.Empty(await IdsAsync(client, "/api/v1/contacts?search=hidden"));
    }

    [SkippableFact]
    public async Task AQueryWithoutItsCompanyFilterSeesOnlyTheCallersRows()
    {
        var data = new TestData(Database);
        var mine = await data.CompanyAsync();
        var theirs = await data.CompanyAsync();
        await data.ContactAsync(mine.Id, "Mine", "A");
        await data.ContactAsync(theirs.Id, "Theirs", "B");
        await using var db = new ContactsDatabase(new DatabaseOptions { Provider = DatabaseProvider.Postgres, ConnectionString = Database.ConnectionString });
        Assert.Contains(PostgresDialect.ApiRole, await db.Dialect.EnsureRowLevelSecurityAsync(), StringComparison.Ordinal);

        await using var connection = await db.OpenAsync();
        // A deliberately broken statement: no company filter at all, run the way every request runs.
        await using var command = db.CompanyCommand(connection, mine.Id, "SELECT current_user, company_id FROM contact");
        await using var reader = await db.ExecuteForCompanyAsync(command);
        var seen = new List<(string User, long Company)>();
        while (await reader.ReadAsync()) seen.Add((reader.GetString(0), reader.GetInt64(1)));
        Assert.Equal([(PostgresDialect.ApiRole, mine.Id)], seen);
    }

    [SkippableFact]
    public async Task TheOptOutIsExplicitAndThenTheSuperuserSeesEverything()
    {
        var data = new TestData(Database);
        var company = await data.CompanyAsync();
        var shown = await data.ContactAsync(company.Id, "Shown", "One");
        var hidden = await data.ContactAsync(company.Id, "Hidden", "Two");
        await SuperuserAsync("CREATE POLICY hide_for_test ON contact AS RESTRICTIVE USING (first_name IS DISTINCT FROM 'Hidden')");

        await using var app = await TestApp.StartAsync(Database, "--Database:RowLevelSecurity=Off");
        using var client = app.ClientWithKey(company.Key);
        Assert.Equal([shown, hidden], await IdsAsync(client, "/api/v1/contacts?limit=100"));
    }

    [SkippableFact]
    public async Task AnOwnerThatCannotSwitchToTheApiRoleRefusesToServeWithOneClearLine()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var owner = "contacts_owner_" + suffix;
        var dbName = "contacts_rls_" + suffix;
        await SuperuserAsync($"CREATE ROLE {owner} LOGIN NOCREATEROLE");
        await SuperuserAsync($"CREATE DATABASE {dbName} OWNER {owner}");
        try
        {
            // contacts_api already exists on this shared server (other databases' migrations made it); this owner may
            // not grant it to itself, so migration 0008 only warns and start-up must refuse.
            await SuperuserAsync("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'contacts_api') THEN CREATE ROLE contacts_api NOLOGIN; END IF; END $$");
            var connectionString = new NpgsqlConnectionStringBuilder(Database.ConnectionString) { Username = owner, Database = dbName }.ConnectionString;
            using var stderr = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
            // Bounded: a service that started instead of refusing is stopped and fails the test, never hangs it.
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            var exit = await Contacts.Cli.ContactsCli.RunAsync(["serve", "--Database:Provider=postgres",
                $"--ConnectionStrings:Contacts={connectionString}", "--urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"],
                TextWriter.Null, stderr, bound.Token);
            Assert.False(bound.IsCancellationRequested, "serve started instead of refusing: " + stderr);
            Assert.NotEqual(0, exit);
            Assert.Contains("Row-level security cannot apply", stderr.ToString(), StringComparison.Ordinal);
            Assert.Contains("Database:RowLevelSecurity=Off", stderr.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await SuperuserAsync($"DROP DATABASE IF EXISTS {dbName} WITH (FORCE)");
            await SuperuserAsync($"DROP ROLE IF EXISTS {owner}");
        }
    }

    private static async Task<long[]> IdsAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {body}");
        using var json = JsonDocument.Parse(body);
        return [.. json.RootElement.GetProperty("data").EnumerateArray().Select(c => long.Parse(c.GetProperty("id").GetString()!, System.Globalization.CultureInfo.InvariantCulture))];
    }
}
