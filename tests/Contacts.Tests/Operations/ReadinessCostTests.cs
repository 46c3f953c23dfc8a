using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using Contacts.Data;
using Contacts.Operations;
using Contacts.Tests.Api;
using Contacts.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Xunit.Abstractions;

namespace Contacts.Tests.Operations;

/// <summary>
/// /health/ready is anonymous, so it must not be a way to make the database work: probes within Health:ReadyCacheSeconds
/// (1 s) after a check reuse its answer. Counted by Contacts.Data's own statement counter on a clock that stands still
/// (the collection runs alone, so only this service's statements are counted).
/// </summary>
[Collection(SequentialCollection.Name)]
public abstract class ReadinessReuseTests(AppFixture fixture)
{
    private AppFixture Fixture
    {
        get
        {
            Skip.If(fixture.SkipReason is not null, fixture.SkipReason);
            return fixture;
        }
    }

    [SkippableFact]
    public async Task ProbesWithinASecondOfACheckReuseItAndTheFirstProbeAfterThatChecksAgain()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await TestApp.StartAsync(Fixture.Database, builder => builder.Services.AddSingleton<TimeProvider>(clock),
            "--Auth:LastUsedFlushSeconds=86400");
        using var statements = new StatementCounter();

        await ProbeAsync(app);
        var oneCheck = statements.Count;
        for (var i = 0; i < 999; i++) await ProbeAsync(app);
        var afterThousand = statements.Count;
        clock.Advance(TimeSpan.FromMilliseconds(900));
        await ProbeAsync(app);
        var at900Ms = statements.Count;
        clock.Advance(TimeSpan.FromMilliseconds(200));
        await ProbeAsync(app);

        Assert.True(oneCheck > 0, "the first probe ran no statement");
        Assert.Equal(oneCheck, afterThousand);
        Assert.Equal(oneCheck, at900Ms);
        Assert.Equal(2 * oneCheck, statements.Count);
    }

    private static async Task ProbeAsync(TestApp app)
    {
        using var response = await app.Client.GetAsync(new Uri(Health.ReadyPath, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private sealed class StatementCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _count;

        public StatementCounter()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter == ContactsDatabase.Meter) listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _count, value));
            _listener.Start();
        }

        public long Count => Interlocked.Read(ref _count);

        public void Dispose() => _listener.Dispose();
    }
}

public sealed class SqliteReadinessReuseTests(SqliteAppFixture fixture) : ReadinessReuseTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class PostgresReadinessReuseTests(PostgresAppFixture fixture) : ReadinessReuseTests(fixture), IClassFixture<PostgresAppFixture>;

/// <summary>
/// The same, counted by PostgreSQL itself on the real clock: transactions committed in a database of the class's own
/// (pg_stat_database.xact_commit, read from the maintenance database so that reading adds nothing), once the service has
/// stopped and its sessions have handed their statistics over. Starting and stopping the service costs a few transactions
/// of its own (migration check, purge); those are measured first and taken off.
/// </summary>
public sealed class PostgresReadinessCostTests(ITestOutputHelper output) : OwnPostgresDatabase
{
    private const int Probes = 1_000;
    private const int Loops = 8;

    [SkippableFact]
    public async Task AThousandProbesCostAtMostOneDatabaseCheckASecond()
    {
        var startAndStop = await TransactionsAsync(_ => Task.CompletedTask);
        var elapsed = Stopwatch.StartNew();
        var withProbes = await TransactionsAsync(async app =>
        {
            await Task.WhenAll(Enumerable.Range(0, Loops).Select(async _ =>
            {
                for (var i = 0; i < Probes / Loops; i++)
                {
                    using var response = await app.Client.GetAsync(new Uri(Health.ReadyPath, UriKind.Relative));
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                }
            }));
            elapsed.Stop();
        });

        var cost = withProbes - startAndStop;
        // One check a second at most (the edges of the interval add one), and a little for autovacuum's own transactions.
        var bound = (long)Math.Ceiling(elapsed.Elapsed.TotalSeconds) + 3;
        output.WriteLine($"[readiness] {Probes} probes in {elapsed.Elapsed.TotalSeconds:F1} s: {cost} transactions " +
                         $"({withProbes} with the service's start and stop, {startAndStop} for those alone); bound {bound}");
        Assert.True(cost <= bound, $"{Probes} probes in {elapsed.Elapsed.TotalSeconds:F1} s cost {cost} transactions (bound {bound})");
    }

    [SkippableFact]
    public async Task ProbesThatArriveDuringACheckWaitForItInsteadOfStartingTheirOwn()
    {
        var name = "ready_" + Guid.NewGuid().ToString("N")[..8];
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await TestApp.StartAsync(Database, builder => builder.Services.AddSingleton<TimeProvider>(clock),
            $"--ConnectionStrings:Contacts={Database.ConnectionString};Application Name={name}", "--Health:ReadyTimeoutSeconds=60",
            "--Auth:LastUsedFlushSeconds=86400");
        using var client = new HttpClient { BaseAddress = app.Address, Timeout = TimeSpan.FromSeconds(90) };
        using (var first = await client.GetAsync(new Uri(Health.ReadyPath, UriKind.Relative))) Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        await using var locker = new NpgsqlConnection(Database.ConnectionString);
        await locker.OpenAsync();
        await using var transaction = await locker.BeginTransactionAsync();
        await using (var take = new NpgsqlCommand("LOCK TABLE contact IN ACCESS EXCLUSIVE MODE", locker, transaction))
        {
            await take.ExecuteNonQueryAsync();
        }
        clock.Advance(TimeSpan.FromSeconds(2)); // the first answer is stale: the next probe checks again
        var probes = Enumerable.Range(0, 20).Select(_ => client.GetAsync(new Uri(Health.ReadyPath, UriKind.Relative))).ToList();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (await WaitingOnTheLockAsync(name) == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "no readiness check reached the lock within 20 s");
            await Task.Delay(50);
        }
        // Every probe has had time to arrive and, were it to run its own check, to take a pooled connection to the lock.
        var most = 0L;
        for (var watch = Stopwatch.StartNew(); watch.Elapsed < TimeSpan.FromSeconds(1.5);) most = Math.Max(most, await WaitingOnTheLockAsync(name));
        await transaction.RollbackAsync();
        var responses = await Task.WhenAll(probes);

        Assert.Equal(1, most);
        Assert.All(responses, response => Assert.Equal(HttpStatusCode.OK, response.StatusCode));
        foreach (var response in responses) response.Dispose();
    }

    private Task<long> WaitingOnTheLockAsync(string applicationName) => ServerStatistics.ScalarAsync(Admin,
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND backend_type = 'client backend' " +
        $"AND application_name = '{applicationName}'");

    /// <summary>Transactions committed in the class's database while a service started, ran <paramref name="use"/> and stopped.</summary>
    private async Task<long> TransactionsAsync(Func<TestApp, Task> use)
    {
        var name = "ready_" + Guid.NewGuid().ToString("N")[..8];
        var before = await CommittedAsync();
        await using (var app = await TestApp.StartAsync(Database, $"--ConnectionStrings:Contacts={Database.ConnectionString};Application Name={name}",
                         "--Auth:LastUsedFlushSeconds=86400"))
        {
            await use(app);
        }
        await ServerStatistics.WaitForSessionsToEndAsync(Admin, name);
        return await CommittedAsync() - before;
    }

    private Task<long> CommittedAsync() => ServerStatistics.ScalarAsync(Admin,
        $"SELECT xact_commit FROM pg_stat_database WHERE datname = '{new NpgsqlConnectionStringBuilder(Database.ConnectionString).Database}'");

    private string Admin => new NpgsqlConnectionStringBuilder(Database.ConnectionString) { Database = "postgres" }.ConnectionString;
}
