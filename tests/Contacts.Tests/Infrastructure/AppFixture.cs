namespace Contacts.Tests.Infrastructure;

/// <summary>One database and one running service per test class; each test makes its own company.</summary>
public abstract class AppFixture : IAsyncLifetime
{
    private TestDatabase? _database;
    private TestApp? _app;

    public string? SkipReason { get; private set; }
    // Touching any of these in a test skips it (with the loud reason) when the database is unavailable.
    public TestDatabase Database => _database ?? throw Skipped();
    public TestApp App => _app ?? throw Skipped();
    public TestData Data => new(Database);

    protected virtual string[] Settings => [];

    protected abstract Task<TestDatabase?> CreateDatabaseAsync();

    protected void Unavailable(string reason) => SkipReason = reason;

    private Exception Skipped()
    {
        var reason = SkipReason ?? "the test database was not created";
        return Ci.IsSet ? new InvalidOperationException($"would skip, but CI is set: {reason}") : new SkipException(reason);
    }

    public async Task InitializeAsync()
    {
        _database = await CreateDatabaseAsync();
        if (_database is not null) _app = await TestApp.StartAsync(_database, Settings);
    }

    public async Task DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        if (_database is not null) await _database.DisposeAsync();
    }
}

public class SqliteAppFixture : AppFixture
{
    protected override async Task<TestDatabase?> CreateDatabaseAsync() => await TestDatabase.SqliteAsync();
}

public class PostgresAppFixture : AppFixture
{
    protected override async Task<TestDatabase?> CreateDatabaseAsync()
    {
        var server = await PostgresServer.SharedAsync();
        if (server.UnavailableReason is { } reason)
        {
            Unavailable(reason);
            return null;
        }
        return await TestDatabase.PostgresAsync(server);
    }
}
