using Contacts.Data;
using Contacts.Data.Replication;
using Contacts.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Contacts.Tests.Replication;

/// <summary>A throwaway primary and a hot standby streaming from it, on loopback ports.</summary>
public sealed class ReplicatedServers : IAsyncDisposable
{
    private static readonly Lazy<Task<ReplicatedServers>> SharedPair = new(async () =>
    {
        var servers = await StartAsync(synchronous: true);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => servers.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return servers;
    });

    private ReplicatedServers(PostgresServer primary, PostgresServer? standby)
    {
        Primary = primary;
        Standby = standby;
    }

    public PostgresServer Primary { get; }
    public PostgresServer? Standby { get; }
    public string? UnavailableReason => Primary.UnavailableReason;

    /// <summary>
    /// The pair the contract suite shares. Synchronous: a commit that asks for synchronous_commit=remote_apply returns
    /// only once the standby has applied it, so that a test reads its own writes through the standby. Nobody stops it.
    /// </summary>
    public static Task<ReplicatedServers> SharedAsync() => SharedPair.Value;

    public static async Task<ReplicatedServers> StartAsync(bool synchronous)
    {
        var primary = new PostgresServer();
        await primary.InitializeAsync();
        if (primary.UnavailableReason is not null) return new ReplicatedServers(primary, null);
        try
        {
            if (synchronous)
            {
                await ExecuteAsync(primary.AdminConnectionString, "ALTER SYSTEM SET synchronous_standby_names = '*'");
                await ExecuteAsync(primary.AdminConnectionString, "SELECT pg_reload_conf()");
            }
            return new ReplicatedServers(primary, await primary.StartStandbyAsync());
        }
        catch
        {
            await primary.DisposeAsync(); // no server left running behind a failed start
            throw;
        }
    }

    /// <summary>A fresh database, once the standby has it too: its connection strings on the primary and on the standby.</summary>
    public async Task<(string Primary, string Standby)> CreateDatabaseAsync()
    {
        var primary = await Primary.CreateDatabaseAsync();
        await WaitForReplayAsync();
        return (primary, OnStandby(primary));
    }

    public string OnStandby(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString) { Port = Standby!.Port }.ConnectionString;

    /// <summary>Waits until the standby has replayed everything the primary has written so far.</summary>
    public async Task WaitForReplayAsync()
    {
        // The insert position: an asynchronous commit (synchronous_commit=off) may not be written yet, and is still a commit.
        var written = await ScalarAsync<NpgsqlTypes.NpgsqlLogSequenceNumber>(Primary.AdminConnectionString, "SELECT pg_current_wal_insert_lsn()");
        await Eventually.TrueAsync("the standby replays the primary's WAL", async () =>
            await ScalarAsync<NpgsqlTypes.NpgsqlLogSequenceNumber>(StandbyAdmin, "SELECT pg_last_wal_replay_lsn()") >= written);
    }

    /// <summary>Pauses the standby's replay, and waits until it has (pg_wal_replay_pause only asks).</summary>
    public async Task PauseReplayAsync()
    {
        await ExecuteAsync(StandbyAdmin, "SELECT pg_wal_replay_pause()");
        await Eventually.TrueAsync("the standby's replay pauses",
            async () => await ScalarAsync<string>(StandbyAdmin, "SELECT pg_get_wal_replay_pause_state()") == "paused");
    }

    public Task ResumeReplayAsync() => ExecuteAsync(StandbyAdmin, "SELECT pg_wal_replay_resume()");

    public string StandbyAdmin => new NpgsqlConnectionStringBuilder(Primary.AdminConnectionString) { Port = Standby!.Port }.ConnectionString;

    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async ValueTask DisposeAsync()
    {
        if (Standby is not null) await Standby.DisposeAsync();
        await Primary.DisposeAsync();
    }
}

/// <summary>Waits on observable state, never on time: polls until true, and fails with what it waited for after a generous bound.</summary>
internal static class Eventually
{
    public static async Task TrueAsync(string what, Func<Task<bool>> condition, int timeoutSeconds = 60)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        while (!await condition())
        {
            if (timeout.IsCancellationRequested) throw new TimeoutException($"Waited {timeoutSeconds} s for: {what}");
            await Task.Delay(50, CancellationToken.None);
        }
    }

    public static Task TrueAsync(string what, Func<bool> condition, int timeoutSeconds = 60) =>
        TrueAsync(what, () => Task.FromResult(condition()), timeoutSeconds);
}

/// <summary>The service over the shared replicated pair: the primary for writes, the standby for reads.</summary>
public class ReplicatedAppFixture : AppFixture, IAsyncLifetime
{
    private string? _standby;

    protected override string[] Settings => [$"--ConnectionStrings:ContactsReplicas:0={_standby}", .. ExtraSettings];

    protected virtual string[] ExtraSettings => [];

    protected override async Task<TestDatabase?> CreateDatabaseAsync()
    {
        var servers = await ReplicatedServers.SharedAsync();
        if (servers.UnavailableReason is { } reason)
        {
            Unavailable(reason);
            return null;
        }
        var (primary, standby) = await servers.CreateDatabaseAsync();
        _standby = standby;
        // The tests' writes and the service's wait until the standby has applied them (see ReplicatedServers.SharedAsync).
        var database = TestDatabase.Unmigrated(DatabaseProvider.Postgres, primary + ";Options=-c synchronous_commit=remote_apply");
        await Migrator.MigrateAsync(database.Db);
        return database;
    }

    /// <summary>The service's own database: its replica set tells which node served what.</summary>
    public ReplicaSet Replicas => App.Services.GetRequiredService<ContactsDatabase>().Replicas!;

    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        // Until its first probe the standby receives no reads: start the tests once it does.
        if (SkipReason is null) await Eventually.TrueAsync("the standby is up", () => Replicas.Standbys[0].Status.State == NodeState.Up);
    }
}
