using System.Net;
using System.Text.Json;
using Contacts.Data;
using Contacts.Tests.Infrastructure;
using Npgsql;

namespace Contacts.Tests.Trust;

/// <summary>
/// A PostgreSQL database whose service connects as a role that does not own the tables (grants exactly as
/// docs/isolation.md prescribes), migrations as the owner; plus an "other application" role that writes under the policies.
/// </summary>
public sealed class RowLevelSecurityFixture : IAsyncLifetime
{
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..8];
    private TestDatabase? _database;
    private TestApp? _app;

    public string? SkipReason { get; private set; }
    public TestDatabase Database => _database ?? throw new InvalidOperationException(SkipReason);
    public TestApp App => _app ?? throw new InvalidOperationException(SkipReason);
    public TestData Data => new(Database);
    public string ServiceRole => "contacts_api_" + _suffix;
    public string WriterRole => "contacts_writer_" + _suffix;
    public string ServiceConnectionString => As(ServiceRole);
    public string WriterConnectionString => As(WriterRole);

    public string As(string role) => new NpgsqlConnectionStringBuilder(Database.ConnectionString) { Username = role }.ConnectionString;

    public async Task InitializeAsync()
    {
        var server = await PostgresServer.SharedAsync();
        if (server.UnavailableReason is { } reason)
        {
            SkipReason = reason;
            return;
        }
        _database = await TestDatabase.PostgresAsync(server);
        var database = new NpgsqlConnectionStringBuilder(Database.ConnectionString).Database;
        // The grants of docs/isolation.md, "Roles and grants", verbatim apart from the names.
        await OwnerAsync($"""
            CREATE ROLE {ServiceRole} LOGIN;
            GRANT CONNECT ON DATABASE {database} TO {ServiceRole};
            GRANT USAGE ON SCHEMA public TO {ServiceRole};
            GRANT SELECT ON contact, tag, contact_tag, company_contact_count, tag_contact_count, contact_block_count,
                contact_change, contact_change_purge, contact_change_txn, contact_change_history,
                contact_search_image, contact_search_bulk, contact_search_image_purge TO {ServiceRole};
            GRANT EXECUTE ON FUNCTION contacts_find_key(text), contacts_touch_keys(text[], timestamptz), contacts_search_ids(bigint, text, text) TO {ServiceRole};

            CREATE ROLE {WriterRole} LOGIN;
            GRANT CONNECT ON DATABASE {database} TO {WriterRole};
            GRANT USAGE ON SCHEMA public TO {WriterRole};
            GRANT SELECT, INSERT, UPDATE, DELETE ON contact, tag, contact_tag TO {WriterRole};
            """);
        _app = await TestApp.StartAsync(Database,
            $"--ConnectionStrings:Contacts={ServiceConnectionString}",
            $"--ConnectionStrings:ContactsMigrations={Database.ConnectionString}");
    }

    public async Task OwnerAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        if (_database is null) return;
        NpgsqlConnection.ClearAllPools();
        // Roles belong to the whole (shared) server: remove them again.
        await OwnerAsync($"DROP OWNED BY {ServiceRole}, {WriterRole}; DROP ROLE {ServiceRole}; DROP ROLE {WriterRole};");
        await _database.DisposeAsync();
    }
}

/// <summary>Row-level security on PostgreSQL: defence in depth beneath every query's company filter (docs/isolation.md).</summary>
public sealed class RowLevelSecurityTests(RowLevelSecurityFixture fixture) : IClassFixture<RowLevelSecurityFixture>
{
    private static readonly string[] TenantTables = ["contact", "tag", "contact_tag", "api_key"];

    private RowLevelSecurityFixture Fixture
    {
        get
        {
            Ci.SkipIf(fixture.SkipReason is not null, fixture.SkipReason);
            return fixture;
        }
    }

    /// <summary>Two companies with the same tag names, contacts and keys; returns them with their contact ids.</summary>
    private async Task<(TestCompany Company, long[] Contacts)[]> TwoCompaniesAsync()
    {
        var result = new List<(TestCompany, long[])>();
        foreach (var (name, count) in new[] { ("Ana", 3), ("Бор", 2) })
        {
            var company = await Fixture.Data.CompanyAsync();
            var vip = await Fixture.Data.TagAsync(company.Id, "VIP");
            var ids = new long[count];
            for (var i = 0; i < count; i++) ids[i] = await Fixture.Data.ContactAsync(company.Id, name, $"N{i}", $"{name}{i}@x.test", tags: [vip]);
            result.Add((company, ids));
        }
        return [.. result];
    }

    [SkippableFact]
    public async Task ServiceConnectedAsANonOwnerRoleAnswersAsUsual()
    {
        var companies = await TwoCompaniesAsync();
        foreach (var (company, contacts) in companies)
        {
            using var client = Fixture.App.ClientWithKey(company.Key);
            using var page = await JsonAsync(client, "/api/v1/contacts?limit=100");
            Assert.Equal(contacts, page.RootElement.GetProperty("data").EnumerateArray().Select(c => long.Parse(c.GetProperty("id").GetString()!, System.Globalization.CultureInfo.InvariantCulture)));
            Assert.All(page.RootElement.GetProperty("data").EnumerateArray(),
                c => Assert.Equal("VIP", c.GetProperty("tags")[0].GetProperty("name").GetString()));
            using var search = await JsonAsync(client, "/api/v1/contacts?search=vip");
            Assert.Equal(contacts.Length, search.RootElement.GetProperty("totalRecords").GetInt64());
            using var tags = await JsonAsync(client, "/api/v1/contacts/tags");
            Assert.Equal(contacts.Length, tags.RootElement.GetProperty("data")[0].GetProperty("_count").GetProperty("contact_tag").GetInt64());
        }
        using var stranger = Fixture.App.ClientWithKey(ApiKeys.Generate().Token);
        Assert.Equal(HttpStatusCode.Unauthorized, (await stranger.GetAsync("/api/v1/contacts")).StatusCode);
    }

    [SkippableFact]
    public async Task KeyLookupAndLastUsedWorkAsTheServiceRoleThroughTheirFunctions()
    {
        var (company, _) = (await TwoCompaniesAsync())[0];
        await using var db = new ContactsDatabase(new DatabaseOptions { Provider = DatabaseProvider.Postgres, ConnectionString = Fixture.ServiceConnectionString });
        Assert.True(ApiKeys.TryParse(company.Key, out var keyId));

        var stored = await KeyQueries.FindAsync(db, keyId);
        Assert.Equal(company.Id, stored?.CompanyId);
        var used = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        await KeyQueries.TouchAsync(db, [keyId], used);
        Assert.Equal(used, (await KeyQueries.ListAsync(Fixture.Database.Db, company.Id)).Single().LastUsedAt);
    }

    [SkippableFact]
    public async Task QueriesWithoutTheirCompanyFilterStillSeeOnlyTheRequestsCompany()
    {
        var companies = await TwoCompaniesAsync();
        var (mine, _) = companies[0];
        await using var db = new ContactsDatabase(new DatabaseOptions { Provider = DatabaseProvider.Postgres, ConnectionString = Fixture.ServiceConnectionString });
        await db.Dialect.EnsureRowLevelSecurityAsync();
        await using var connection = await db.OpenAsync();
        // Exactly how a request runs its statements: one company command each.
        Task<Dictionary<long, long>> SeenAsync(string sql) => CompaniesSeenAsync(connection, sql, db, mine.Id);

        foreach (var table in TenantTables[..3])
            Assert.Equal(await OwnerCountsAsync(table, mine.Id), await SeenAsync($"SELECT company_id FROM {table}"));

        // The tags endpoint's count and the contacts search, with their company filters deleted.
        Assert.Equal(await OwnerCountsAsync("contact_tag", mine.Id), await SeenAsync(
            "SELECT t.company_id FROM tag t, LATERAL (SELECT 1 FROM contact_tag ct WHERE ct.tag_id = t.id) x"));
        Assert.Equal(await OwnerCountsAsync("contact", mine.Id), await SeenAsync(
            "SELECT c.company_id FROM contact c WHERE c.id IN (SELECT ct.contact_id FROM contact_tag ct JOIN tag t ON t.id = ct.tag_id WHERE t.name_folded LIKE '%vip%')"));

        // api_key: the service role may not read it at all (it goes through contacts_find_key) ...
        var denied = await Assert.ThrowsAsync<PostgresException>(() => SeenAsync("SELECT company_id FROM api_key"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, denied.SqlState);
        // ... and a role that may read it still sees only the company in its setting.
        await Fixture.OwnerAsync($"GRANT SELECT ON api_key TO {Fixture.WriterRole}");
        await using var writer = new NpgsqlConnection(Fixture.WriterConnectionString);
        await writer.OpenAsync();
        await SetCompanyAsync(writer, mine.Id);
        Assert.Equal(await OwnerCountsAsync("api_key", mine.Id), await CompaniesSeenAsync(writer, "SELECT company_id FROM api_key"));
    }

    [SkippableFact]
    public async Task WithoutACompanySettingNothingIsVisible()
    {
        await TwoCompaniesAsync();
        await Fixture.OwnerAsync($"GRANT SELECT ON api_key TO {Fixture.WriterRole}");
        await using var writer = new NpgsqlConnection(Fixture.WriterConnectionString);
        await writer.OpenAsync();
        foreach (var table in TenantTables) Assert.Empty(await CompaniesSeenAsync(writer, $"SELECT company_id FROM {table}"));
        await using (var reset = new NpgsqlCommand("SELECT set_config('contacts.company_id', '', false)", writer)) await reset.ExecuteNonQueryAsync();
        foreach (var table in TenantTables) Assert.Empty(await CompaniesSeenAsync(writer, $"SELECT company_id FROM {table}"));
    }

    [SkippableFact]
    public async Task ARequestsCompanySettingDoesNotOutliveItsCommand()
    {
        var (mine, _) = (await TwoCompaniesAsync())[0];
        var single = new NpgsqlConnectionStringBuilder(Fixture.ServiceConnectionString) { MaxPoolSize = 1 }.ConnectionString;
        await using var db = new ContactsDatabase(new DatabaseOptions { Provider = DatabaseProvider.Postgres, ConnectionString = single });
        await db.Dialect.EnsureRowLevelSecurityAsync();
        int pid;
        await using (var request = await db.OpenAsync())
        {
            pid = ((NpgsqlConnection)request).ProcessID;
            // Every statement of the request's command runs with the company set ...
            await using var command = db.CompanyCommand(request, mine.Id, "SELECT company_id FROM contact; SELECT company_id FROM tag");
            await using var reader = await db.ExecuteForCompanyAsync(command);
            var contacts = 0;
            while (await reader.ReadAsync()) { Assert.Equal(mine.Id, reader.GetInt64(0)); contacts++; }
            Assert.NotEqual(0, contacts);
            Assert.True(await reader.NextResultAsync());
            while (await reader.ReadAsync()) Assert.Equal(mine.Id, reader.GetInt64(0));
            await reader.DisposeAsync();
            // ... and none after it, on the same connection: the setting was local to the command's transaction.
            Assert.Empty(await CompaniesSeenAsync(request, "SELECT company_id FROM contact"));
        }
        await using var next = await db.OpenAsync(); // the same pooled server session, rented without a company
        Assert.Equal(pid, ((NpgsqlConnection)next).ProcessID);
        Assert.Empty(await CompaniesSeenAsync(next, "SELECT company_id FROM contact"));
    }

    [SkippableFact]
    public async Task AnotherApplicationWritesOnlyIntoTheCompanyItSet()
    {
        var companies = await TwoCompaniesAsync();
        var (mine, _) = companies[0];
        var (theirs, theirContacts) = companies[1];
        await using var writer = new NpgsqlConnection(Fixture.WriterConnectionString);
        await writer.OpenAsync();
        await SetCompanyAsync(writer, mine.Id);

        await using (var insert = new NpgsqlCommand(
            $"INSERT INTO contact (company_id, first_name, email) VALUES ({mine.Id}, 'Zoë', 'zoe@x.test') RETURNING id", writer))
            Assert.NotNull(await insert.ExecuteScalarAsync());
        await using (var foreign = new NpgsqlCommand($"INSERT INTO contact (company_id, first_name) VALUES ({theirs.Id}, 'Mallory')", writer))
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => foreign.ExecuteNonQueryAsync());
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState); // new row violates row-level security policy
        }
        await using (var update = new NpgsqlCommand($"UPDATE contact SET first_name = 'Mallory' WHERE id = {theirContacts[0]}", writer))
            Assert.Equal(0, await update.ExecuteNonQueryAsync());

        using var client = Fixture.App.ClientWithKey(mine.Key);
        using var found = await JsonAsync(client, "/api/v1/contacts?search=zoe");
        Assert.Equal("Zoë", found.RootElement.GetProperty("data")[0].GetProperty("first_name").GetString());
    }

    private static async Task SetCompanyAsync(NpgsqlConnection connection, long company)
    {
        await using var command = new NpgsqlCommand("SELECT set_config('contacts.company_id', @company, false)", connection);
        command.Parameters.AddWithValue("company", company.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>company_id → rows, for a query's first column.</summary>
    private static async Task<Dictionary<long, long>> CompaniesSeenAsync(System.Data.Common.DbConnection connection, string sql,
        ContactsDatabase? scope = null, long company = 0)
    {
        await using var command = scope?.CompanyCommand(connection, company, sql) ?? connection.CreateCommand();
        if (scope is null) command.CommandText = sql;
        await using var reader = scope is null ? await command.ExecuteReaderAsync() : await scope.ExecuteForCompanyAsync(command);
        var seen = new Dictionary<long, long>();
        while (await reader.ReadAsync()) seen[reader.GetInt64(0)] = seen.GetValueOrDefault(reader.GetInt64(0)) + 1;
        return seen;
    }

    private async Task<Dictionary<long, long>> OwnerCountsAsync(string table, long company)
    {
        await using var connection = new NpgsqlConnection(Fixture.Database.ConnectionString);
        await connection.OpenAsync();
        return await CompaniesSeenAsync(connection, $"SELECT company_id FROM {table} WHERE company_id = {company}");
    }

    private static async Task<JsonDocument> JsonAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body);
    }
}
