using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Contacts.Data;
using Contacts.Data.Changes;
using Contacts.Tests.Infrastructure;
using Contacts.Tests.Replication;
using Npgsql;

namespace Contacts.Tests.Operations;

/// <summary>
/// Its own primary and asynchronous standby (paused by a test; a synchronous one would hold the primary's commits). The
/// service connects as a plain member of contacts_api, on both nodes, so that pg_stat_activity hides the tests' own
/// transactions (run as the superuser) from it, as it hides other roles' in production; freshness sampled every second.
/// </summary>
public sealed class FeedFreshnessFixture : IAsyncLifetime
{
    public const string ServiceRole = "freshness_api";
    public const string MonitorRole = "freshness_monitor";
    private ReplicatedServers? _servers;
    private TestDatabase? _database;
    private TestApp? _app;

    public ReplicatedServers Servers => _servers ?? throw new InvalidOperationException("no servers");
    public TestDatabase Database => _database ?? throw new InvalidOperationException(_servers?.UnavailableReason ?? "no database");
    public TestApp App => _app ?? throw new InvalidOperationException(_servers?.UnavailableReason ?? "no service");
    public TestData Data => new(Database);
    public string? SkipReason => _servers?.UnavailableReason;
    public string StandbyConnectionString { get; private set; } = "";

    public static string As(string role, string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Username = role }.ConnectionString;

    public async Task InitializeAsync()
    {
        _servers = await ReplicatedServers.StartAsync(synchronous: false);
        if (_servers.UnavailableReason is not null) return;
        var (primary, standby) = await _servers.CreateDatabaseAsync();
        StandbyConnectionString = standby;
        _database = TestDatabase.Unmigrated(DatabaseProvider.Postgres, primary);
        await Migrator.MigrateAsync(_database.Db);
        // contacts_api (migration 0008) holds the grants, EXECUTE on contacts_change_newest_commit among them (0010).
        await ReplicatedServers.ExecuteAsync(primary, $"""
            CREATE ROLE {ServiceRole} LOGIN; GRANT contacts_api TO {ServiceRole};
            CREATE ROLE {MonitorRole} LOGIN; GRANT contacts_api, pg_monitor TO {MonitorRole};
            """);
        await _servers.WaitForReplayAsync();
        _app = await StartAppAsync(ServiceRole);
    }

    /// <summary>The service as a role, reading the primary and the standby, sampling every second.</summary>
    public Task<TestApp> StartAppAsync(string role) => TestApp.StartAsync(Database,
        $"--ConnectionStrings:Contacts={As(role, Database.ConnectionString)}",
        $"--ConnectionStrings:ContactsMigrations={Database.ConnectionString}",
        $"--ConnectionStrings:ContactsReplicas:0={As(role, StandbyConnectionString)}",
        "--Metrics:FreshnessSampleSeconds=1");

    public async Task DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        if (_database is not null) await _database.DisposeAsync();
        if (_servers is not null) await _servers.DisposeAsync();
    }
}

/// <summary>
/// Freshness is visible on /metrics (issue 18): how long each node's change feed has been missing a commit, and how old
/// the oldest write transaction on the primary is; labels name nodes, never connections.
/// </summary>
public sealed class FeedFreshnessMetricsTests(FeedFreshnessFixture fixture) : IClassFixture<FeedFreshnessFixture>
{
    private const string HorizonLag = "contacts_feed_horizon_lag_seconds";
    private const string OldestWrite = "contacts_db_oldest_write_transaction_age_seconds";

    private FeedFreshnessFixture Fixture
    {
        get
        {
            Ci.SkipIf(fixture.SkipReason is not null, fixture.SkipReason);
            return fixture;
        }
    }

    [SkippableFact]
    public async Task AWriteTransactionHeldOpenShowsItsAgeWithoutPrivilegesAndZeroOnceItCommits()
    {
        var company = await Fixture.Data.CompanyAsync();
        await Eventually.TrueAsync("no write transaction open", async () => await GaugeAsync(Fixture.App, OldestWrite) == 0);

        await using var writer = new NpgsqlConnection(Fixture.Database.ConnectionString);
        await writer.OpenAsync();
        await using var transaction = await writer.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand("INSERT INTO contact (company_id, first_name) VALUES (@company, 'Held open')", writer, transaction))
        {
            insert.Parameters.AddWithValue("company", company.Id);
            await insert.ExecuteNonQueryAsync();
        }
        var open = Stopwatch.StartNew();

        double age = 0;
        await Eventually.TrueAsync("the open transaction's age on /metrics", async () => (age = await GaugeAsync(Fixture.App, OldestWrite) ?? 0) >= 2);
        // A lower bound: never older than the transaction really is (the primary's clock and this one are the same machine's).
        Assert.True(age <= open.Elapsed.TotalSeconds + 0.5, $"{age} s reported for a transaction open {open.Elapsed.TotalSeconds} s");

        await transaction.CommitAsync();
        await Eventually.TrueAsync("0 once it commits", async () => await GaugeAsync(Fixture.App, OldestWrite) == 0);
    }

    [SkippableFact]
    public async Task WithPgMonitorTheAgeCountsFromTheTransactionsStartNotFromItsFirstWrite()
    {
        var company = await Fixture.Data.CompanyAsync();
        await using var app = await Fixture.StartAppAsync(FeedFreshnessFixture.MonitorRole);
        await Eventually.TrueAsync("no write transaction open", async () => await GaugeAsync(app, OldestWrite) == 0);

        await using var writer = new NpgsqlConnection(Fixture.Database.ConnectionString);
        await writer.OpenAsync();
        await using var transaction = await writer.BeginTransactionAsync();
        await using (var start = new NpgsqlCommand("SELECT 1", writer, transaction)) await start.ExecuteNonQueryAsync();
        await Task.Delay(TimeSpan.FromSeconds(4));
        await using (var insert = new NpgsqlCommand("INSERT INTO contact (company_id, first_name) VALUES (@company, 'Late writer')", writer, transaction))
        {
            insert.Parameters.AddWithValue("company", company.Id);
            await insert.ExecuteNonQueryAsync();
        }

        // Counted from the sample that first saw its id, the age would start near 0; xact_start says 4 s at once.
        double age = 0;
        await Eventually.TrueAsync("the write transaction on /metrics", async () => (age = await GaugeAsync(app, OldestWrite) ?? 0) > 0);
        Assert.True(age >= 3.5, $"first seen at {age} s");
        await transaction.RollbackAsync();
    }

    [SkippableFact]
    public async Task APausedStandbysFeedFallsFurtherBehindUntilItResumesAndThePrimaryIsNeverBehind()
    {
        var company = await Fixture.Data.CompanyAsync();
        await Fixture.Data.ContactAsync(company.Id, "Before", "Pause");
        await Fixture.Servers.WaitForReplayAsync();
        await Eventually.TrueAsync("the standby's feed is caught up", async () => await GaugeAsync(Fixture.App, HorizonLag, "replica-1") == 0);

        await Fixture.Servers.PauseReplayAsync();
        try
        {
            await Fixture.Data.ContactAsync(company.Id, "While", "Paused");
            double first = 0, later = 0;
            await Eventually.TrueAsync("the paused standby's feed behind", async () => (first = await GaugeAsync(Fixture.App, HorizonLag, "replica-1") ?? 0) > 0);
            // The primary writes nothing more, and the standby's lag still grows: it is how long the commit has been missing.
            await Eventually.TrueAsync("the lag growing while paused", async () => (later = await GaugeAsync(Fixture.App, HorizonLag, "replica-1") ?? 0) >= first + 1.5);
            Assert.Equal(0, await GaugeAsync(Fixture.App, HorizonLag, "primary"));
        }
        finally
        {
            await Fixture.Servers.ResumeReplayAsync();
        }

        await Eventually.TrueAsync("0 once the standby has replayed the commit", async () => await GaugeAsync(Fixture.App, HorizonLag, "replica-1") == 0);
        Assert.Equal(0, await GaugeAsync(Fixture.App, HorizonLag, "primary"));
    }

    [SkippableFact]
    public async Task WhileThePrimaryIsDownTheFreshnessSeriesAreAbsentNotStale()
    {
        await Eventually.TrueAsync("both metrics on /metrics", async () =>
            await GaugeAsync(Fixture.App, OldestWrite) is not null && await GaugeAsync(Fixture.App, HorizonLag, "primary") is not null);

        await Fixture.Servers.Primary.StopAsync();
        try
        {
            await Eventually.TrueAsync("no freshness series while the primary is down", async () =>
            {
                var text = await ScrapeAsync(Fixture.App);
                return !Series(text, OldestWrite).Any() && !Series(text, HorizonLag).Any();
            });
        }
        finally
        {
            await Fixture.Servers.Primary.StartAsync();
            NpgsqlConnection.ClearAllPools(); // the tests' own pools hold connections the stop ended
        }

        await Eventually.TrueAsync("back once it answers", async () =>
            await GaugeAsync(Fixture.App, OldestWrite) is not null && await GaugeAsync(Fixture.App, HorizonLag, "replica-1") is not null);
    }

    [SkippableFact]
    public async Task LabelsNameNodesNeverHostsPortsDatabasesOrUsers()
    {
        var text = "";
        await Eventually.TrueAsync("both metrics on /metrics, a series per node", async () =>
            Series(text = await ScrapeAsync(Fixture.App), HorizonLag).Count() == 2 && Series(text, OldestWrite).Any());
        var connections = new[] { Fixture.Database.ConnectionString, Fixture.StandbyConnectionString }
            .SelectMany(c => new[] { c, FeedFreshnessFixture.As(FeedFreshnessFixture.ServiceRole, c) })
            .Select(c => new NpgsqlConnectionStringBuilder(c));
        var secrets = connections.SelectMany(c => new[] { c.Host!, c.Port.ToString(CultureInfo.InvariantCulture), c.Database!, c.Username! })
            .Distinct().ToList();

        var labels = Series(text, HorizonLag).Concat(Series(text, OldestWrite)).SelectMany(s => s.Labels).ToList();

        foreach (var (_, value) in labels)
            Assert.DoesNotContain(secrets, secret => value.Contains(secret, StringComparison.OrdinalIgnoreCase));
        Assert.Equal(["primary", "replica-1"], labels.Where(l => l.Key == "node").Select(l => l.Value).Order());
    }

    private static async Task<string> ScrapeAsync(TestApp app) =>
        await MetricsAssert.ScrapeUntilAsync(app.Client, "/metrics", "# TYPE dotnet_");

    /// <summary>The value of a series (with that node label, when given); null when there is none.</summary>
    private static async Task<double?> GaugeAsync(TestApp app, string metric, string? node = null) =>
        Series(await ScrapeAsync(app), metric)
            .Where(s => node is null || s.Labels.Contains(new KeyValuePair<string, string>("node", node)))
            .Select(s => (double?)s.Value).FirstOrDefault();

    private static IEnumerable<(List<KeyValuePair<string, string>> Labels, double Value)> Series(string text, string metric) =>
        Regex.Matches(text, $@"(?m)^{metric}\{{([^}}]*)\}} (\S+)").Select(m => (
            Regex.Matches(m.Groups[1].Value, "([a-z_]+)=\"([^\"]*)\"").Select(l => KeyValuePair.Create(l.Groups[1].Value, l.Groups[2].Value)).ToList(),
            double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)));
}

/// <summary>SQLite has one node and one writer: neither freshness series exists there.</summary>
public sealed class SqliteFeedFreshnessMetricsTests
{
    [Fact]
    public async Task SqlitePublishesNoFreshnessSeries()
    {
        await using var database = await TestDatabase.SqliteAsync();
        await using var app = await TestApp.StartAsync(database, "--Metrics:FreshnessSampleSeconds=0.1");

        var text = await MetricsAssert.ScrapeUntilAsync(app.Client, "/metrics", "# TYPE dotnet_");

        Assert.DoesNotContain("contacts_feed_horizon_lag", text, StringComparison.Ordinal);
        Assert.DoesNotContain("contacts_db_oldest_write_transaction_age", text, StringComparison.Ordinal);
    }
}

/// <summary>The freshness arithmetic, every time in the primary's clock.</summary>
public sealed class FreshnessTrackerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ANodeWithThePrimarysNewestCommitIsNotBehindHoweverLongAgoItWas()
    {
        var tracker = new FreshnessTracker();

        Assert.Equal(0, tracker.HorizonLagSeconds("replica-1", T0.AddHours(1), primaryNewest: T0, nodeNewest: T0));
        Assert.Equal(0, tracker.HorizonLagSeconds("replica-2", T0, primaryNewest: null, nodeNewest: null));
    }

    [Fact]
    public void AStandbyStuckBehindFallsFurtherBehindWhileThePrimaryIsQuiet()
    {
        var tracker = new FreshnessTracker();
        tracker.HorizonLagSeconds("replica-1", T0, primaryNewest: T0.AddSeconds(-1), nodeNewest: T0.AddSeconds(-1));
        var commit = T0.AddSeconds(3);

        Assert.Equal(5, tracker.HorizonLagSeconds("replica-1", T0.AddSeconds(5), commit, nodeNewest: T0.AddSeconds(-1)));
        Assert.Equal(3600, tracker.HorizonLagSeconds("replica-1", T0.AddSeconds(3600), commit, nodeNewest: T0.AddSeconds(-1)));
    }

    [Fact]
    public void TheFirstCommitAfterAQuietHourIsAtMostASamplePeriodBehind()
    {
        var tracker = new FreshnessTracker();
        for (var s = 0; s <= 3600; s += 5) tracker.HorizonLagSeconds("replica-1", T0.AddSeconds(s), primaryNewest: T0, nodeNewest: T0);

        // Sampled a moment before the standby replays the new commit: not an hour behind.
        Assert.Equal(5, tracker.HorizonLagSeconds("replica-1", T0.AddSeconds(3605), primaryNewest: T0.AddSeconds(3604.99), nodeNewest: T0));
    }

    [Fact]
    public void UnderSteadyCommitsAStandbyIsBehindByTheAgeOfItsNewestCommit()
    {
        var tracker = new FreshnessTracker();

        Assert.Equal(0.25, tracker.HorizonLagSeconds("replica-1", T0, primaryNewest: T0.AddSeconds(-0.01), nodeNewest: T0.AddSeconds(-0.25)));
    }

    [Fact]
    public void TheOldestTransactionIdAgesFromTheSampleThatFirstSawItAndZeroWithoutOne()
    {
        var tracker = new FreshnessTracker();

        Assert.Equal(0, tracker.OldestWriteTransactionSeconds(T0, oldestId: null, visibleSeconds: null));
        Assert.Equal(0, tracker.OldestWriteTransactionSeconds(T0.AddSeconds(5), 100, null));
        Assert.Equal(10, tracker.OldestWriteTransactionSeconds(T0.AddSeconds(15), 100, null));
        Assert.Equal(0, tracker.OldestWriteTransactionSeconds(T0.AddSeconds(20), 130, null));
        Assert.Equal(0, tracker.OldestWriteTransactionSeconds(T0.AddSeconds(25), null, null));
    }

    [Fact]
    public void AnAgeThePgStatActivityShowsWinsWhenItIsLonger()
    {
        var tracker = new FreshnessTracker();
        tracker.OldestWriteTransactionSeconds(T0, 100, null);

        Assert.Equal(42, tracker.OldestWriteTransactionSeconds(T0.AddSeconds(5), 100, visibleSeconds: 42));
        Assert.Equal(10, tracker.OldestWriteTransactionSeconds(T0.AddSeconds(10), 100, visibleSeconds: 3));
    }
}
