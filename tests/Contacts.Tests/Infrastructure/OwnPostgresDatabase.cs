namespace Contacts.Tests.Infrastructure;

/// <summary>
/// A test class with a PostgreSQL database of its own on the shared server (for tests that add policies, roles or
/// statistics the other classes must not see). Touching <see cref="Database"/> skips the test when there is no server.
/// </summary>
public abstract class OwnPostgresDatabase : IAsyncLifetime
{
    private PostgresServer? _server;
    private TestDatabase? _database;

    public async Task InitializeAsync()
    {
        _server = await PostgresServer.SharedAsync();
        if (_server.UnavailableReason is null) _database = await TestDatabase.PostgresAsync(_server);
    }

    public async Task DisposeAsync()
    {
        if (_database is not null) await _database.DisposeAsync();
    }

    protected TestDatabase Database
    {
        get
        {
            Ci.SkipIf(_server?.UnavailableReason is not null, _server?.UnavailableReason);
            return _database!;
        }
    }
}
