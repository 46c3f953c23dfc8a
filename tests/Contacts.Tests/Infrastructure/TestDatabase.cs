using Contacts.Data;

namespace Contacts.Tests.Infrastructure;

/// <summary>A real, migrated database for one test class: a SQLite file in a temp folder, or a fresh PostgreSQL database.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string? _folder;

    private TestDatabase(DatabaseProvider provider, string connectionString, string? folder)
    {
        Provider = provider;
        ConnectionString = connectionString;
        _folder = folder;
        Db = new ContactsDatabase(new DatabaseOptions { Provider = provider, ConnectionString = connectionString });
    }

    public DatabaseProvider Provider { get; }
    public string ConnectionString { get; }
    public ContactsDatabase Db { get; }
    public string ProviderName => Provider == DatabaseProvider.Postgres ? "postgres" : "sqlite";

    /// <summary>The CLI's global options that point it at this database.</summary>
    public string[] CliOptions => ["--provider", ProviderName, "--connection-string", ConnectionString];

    public static async Task<TestDatabase> SqliteAsync()
    {
        var folder = Path.Combine(Path.GetTempPath(), "contacts-test-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        var database = new TestDatabase(DatabaseProvider.Sqlite, $"Data Source={Path.Combine(folder, "contacts.db")}", folder);
        await Migrator.MigrateAsync(database.Db);
        return database;
    }

    /// <summary>A connection string the tests do not touch: for a server that is absent or misbehaves on purpose.</summary>
    public static TestDatabase Unmigrated(DatabaseProvider provider, string connectionString) => new(provider, connectionString, null);

    public static async Task<TestDatabase> PostgresAsync(PostgresServer server)
    {
        var database = new TestDatabase(DatabaseProvider.Postgres, await server.CreateDatabaseAsync(), null);
        await Migrator.MigrateAsync(database.Db);
        return database;
    }

    public async ValueTask DisposeAsync()
    {
        await Db.DisposeAsync();
        if (_folder is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
        }
    }
}
