using System.Globalization;
using Contacts.Data;
using Contacts.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Contacts.Tests.Cli;

/// <summary>An empty database of its own for one test: `migrate` has to start from nothing.</summary>
public sealed class EmptyDatabase : IAsyncDisposable
{
    private readonly string? _folder;

    public EmptyDatabase(DatabaseProvider provider, string connectionString, string? folder = null)
    {
        _folder = folder;
        Provider = provider;
        CliOptions = ["--provider", provider == DatabaseProvider.Postgres ? "postgres" : "sqlite", "--connection-string", connectionString];
        Db = new ContactsDatabase(new DatabaseOptions { Provider = provider, ConnectionString = connectionString });
    }

    public DatabaseProvider Provider { get; }
    public string[] CliOptions { get; }
    public ContactsDatabase Db { get; }

    public async Task<long> ScalarAsync(string sql)
    {
        await using var connection = await Db.OpenAsync();
        await using var command = Db.Command(connection, sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        await Db.DisposeAsync();
        if (_folder is null) return;
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}

public abstract class MigrateCommandTests
{
    protected abstract Task<EmptyDatabase> EmptyDatabaseAsync();

    private static Task<CliResult> MigrateAsync(EmptyDatabase database, params string[] args) =>
        CliRunner.RunAsync([.. database.CliOptions, "migrate", .. args]);

    [SkippableFact]
    public async Task MigrateOnAnEmptyDatabaseAppliesEveryMigrationAndReportsTheVersion()
    {
        await using var database = await EmptyDatabaseAsync();
        var available = Migrator.Available(database.Provider);

        var result = await MigrateAsync(database, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var json = result.Json();
        Assert.Equal(available.Select(m => m.Name), json.GetProperty("applied").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(available.Max(m => m.Version), json.GetProperty("version").GetInt32());
        Assert.Equal(available.Max(m => m.Version), await Migrator.CurrentVersionAsync(database.Db));
        foreach (var table in new[] { "company", "api_key", "contact", "tag", "contact_tag" })
            Assert.Equal(0, await database.ScalarAsync($"SELECT count(*) FROM {table}"));
    }

    [SkippableFact]
    public async Task MigrateWithoutJsonSaysWhatItAppliedAndTheVersion()
    {
        await using var database = await EmptyDatabaseAsync();
        var available = Migrator.Available(database.Provider);

        var result = await MigrateAsync(database);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"Applied {available[0].Name}", result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"version {available.Max(m => m.Version)}", result.Stdout, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task MigrateAgainAppliesNothingAndKeepsTheData()
    {
        await using var database = await EmptyDatabaseAsync();
        Assert.Equal(0, (await MigrateAsync(database)).ExitCode);
        var company = await CompanyQueries.CreateAsync(database.Db, "Survivor");

        var again = await MigrateAsync(database, "--json");
        var text = await MigrateAsync(database);

        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(0, again.Json().GetProperty("applied").GetArrayLength());
        Assert.Equal(Migrator.Available(database.Provider).Max(m => m.Version), again.Json().GetProperty("version").GetInt32());
        Assert.Contains("up to date", text.Stdout, StringComparison.Ordinal);
        Assert.Equal("Survivor", (await CompanyQueries.FindAsync(database.Db, company.Id))?.Name);
        Assert.Equal(Migrator.Available(database.Provider).Count, await database.ScalarAsync("SELECT count(*) FROM schema_migration"));
    }

    [SkippableFact]
    public async Task CommandsOnAnEmptyDatabaseMigrateItFirst()
    {
        await using var database = await EmptyDatabaseAsync();

        var result = await CliRunner.RunAsync([.. database.CliOptions, "company", "create", "--name", "First", "--json"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("First", result.Json().Text("name"));
        Assert.Equal(Migrator.Available(database.Provider).Max(m => m.Version), await Migrator.CurrentVersionAsync(database.Db));
    }
}

public sealed class SqliteMigrateCommandTests : MigrateCommandTests
{
    protected override Task<EmptyDatabase> EmptyDatabaseAsync() => Task.FromResult(NewFile(out _));

    private static EmptyDatabase NewFile(out string file)
    {
        var folder = Path.Combine(Path.GetTempPath(), "contacts-migrate-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        file = Path.Combine(folder, "contacts.db");
        return new EmptyDatabase(DatabaseProvider.Sqlite, $"Data Source={file}", folder);
    }

    [Fact]
    public async Task MigrateCreatesTheSqliteFileInWalJournalMode()
    {
        await using var database = NewFile(out var file);
        Assert.False(File.Exists(file));

        var result = await CliRunner.RunAsync([.. database.CliOptions, "migrate"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(File.Exists(file));
        await using var connection = new SqliteConnection($"Data Source={file};Pooling=false");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task MigrateIntoAFolderThatDoesNotExistFailsWithAClearMessage()
    {
        var missing = Path.Combine(Path.GetTempPath(), "contacts-missing-" + Guid.NewGuid().ToString("N")[..12], "contacts.db");

        var result = await CliRunner.RunAsync("--provider", "sqlite", "--connection-string", $"Data Source={missing}", "migrate");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("does not exist", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.GetDirectoryName(missing)));
    }
}

public sealed class PostgresMigrateCommandTests : MigrateCommandTests
{
    protected override async Task<EmptyDatabase> EmptyDatabaseAsync()
    {
        var server = await PostgresServer.SharedAsync();
        Ci.SkipIf(server.UnavailableReason is not null, server.UnavailableReason);
        return new EmptyDatabase(DatabaseProvider.Postgres, await server.CreateDatabaseAsync());
    }

    // A migration may run for minutes on a big database (building an index), and a second server waits for the first's:
    // neither may be cut off by the per-request command timeout. Here the migration is seen waiting on the lock in
    // pg_locks for twice its 1 s command timeout before the lock is released.
    [SkippableFact]
    public async Task MigrationsAreNotCutOffByTheRequestCommandTimeout()
    {
        await using var database = await EmptyDatabaseAsync();
        string connectionString;
        await using (var probe = await database.Db.OpenAsync()) connectionString = probe.ConnectionString;
        await using var other = new Npgsql.NpgsqlConnection(new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await other.OpenAsync();
        await using (var hold = new Npgsql.NpgsqlCommand("SELECT pg_advisory_lock(7243301)", other)) await hold.ExecuteNonQueryAsync();
        await using var db = new ContactsDatabase(new DatabaseOptions
        {
            Provider = DatabaseProvider.Postgres, ConnectionString = connectionString, CommandTimeoutSeconds = 1,
        });

        var migrating = Migrator.MigrateAsync(db);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        double waited = 0;
        while (waited < 2 && !migrating.IsCompleted && DateTime.UtcNow < deadline)
        {
            // The migrator's session, queued on the advisory lock this test holds, and for how long its statement has waited.
            await using var look = new Npgsql.NpgsqlCommand(
                "SELECT coalesce(max(extract(epoch FROM clock_timestamp() - a.query_start)), -1)::float8 " +
                "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid " +
                "WHERE l.locktype = 'advisory' AND NOT l.granted AND l.objid = 7243301 AND l.database = " +
                "(SELECT oid FROM pg_database WHERE datname = current_database())", other);
            waited = (double)(await look.ExecuteScalarAsync())!;
            if (waited < 2) await Task.Delay(50);
        }
        Assert.False(migrating.IsCompleted, $"the migration finished while another session held its lock: {migrating.Exception?.GetBaseException().Message}");
        Assert.True(waited >= 2, $"the migration was not seen waiting on the lock for 2 s within 30 s (longest wait {waited:F1} s)");
        await using (var unlock = new Npgsql.NpgsqlCommand("SELECT pg_advisory_unlock(7243301)", other)) await unlock.ExecuteNonQueryAsync();

        var applied = await migrating;

        Assert.Equal(Migrator.Available(DatabaseProvider.Postgres).Count, applied.Count);
    }

    [Fact]
    public async Task MigrateAgainstAnUnreachableServerFailsWithExitCode1()
    {
        var result = await CliRunner.RunAsync("--provider", "postgres", "--connection-string",
            "Host=127.0.0.1;Port=1;Username=postgres;Database=none;Timeout=2", "migrate");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error:", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }
}
