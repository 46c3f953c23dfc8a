using Npgsql;

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

    /// <summary>Runs SQL on this class's database as the server's superuser (setup, ALTER DATABASE, statistics).</summary>
    protected async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    protected Task<long> ScalarAsync(string sql) => ServerStatistics.ScalarAsync(Database.ConnectionString, sql);
}
