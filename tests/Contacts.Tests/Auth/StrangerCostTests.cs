using System.Net;
using Contacts.Data;
using Contacts.Tests.Api;
using Contacts.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Contacts.Tests.Auth;

/// <summary>
/// A client with no key costs no database work: anonymous endpoints and unknown paths never look a key up, a made-up
/// key id is remembered as unknown, and once an address has used up its failed authentications its new made-up keys
/// are not looked up at all. Each test starts its own service (fresh caches and buckets) on a clock that stands still,
/// so the remembered misses do not expire while the flood runs, and counts the key lookups that reach the database.
/// </summary>
public abstract class StrangerCostTests(AppFixture fixture)
{
    private const int Flood = 300;
    // Milliseconds the clock moves before each request: a repeat, 4.9 s after the first, then 5.1 s after it.
    private static readonly string[] Paths = ["/health/live", "/metrics", "/openapi/v1.json", "/no/such/path", ContractAssert.ContactsPath];
    private static readonly int[] MissSteps = [0, 0, 4_900, 200];

    protected AppFixture Fixture
    {
        get
        {
            Skip.If(fixture.SkipReason is not null, fixture.SkipReason);
            return fixture;
        }
    }

    /// <summary>Key lookups the database ran while <paramref name="flood"/> used a service started with these settings.</summary>
    protected abstract Task<long> CountKeyLookupsAsync(string[] settings, Func<TestApp, Task> flood);

    protected Task<TestApp> StartAsync(string connectionString, string[] settings) =>
        TestApp.StartAsync(Fixture.Database, builder => builder.Services.AddSingleton<TimeProvider>(new FakeTimeProvider(DateTimeOffset.UtcNow)),
            [$"--ConnectionStrings:Contacts={connectionString}", "--Auth:LastUsedFlushSeconds=86400", .. settings]);

    [SkippableFact]
    public async Task OneMadeUpKeySentToProbesMetricsDocsUnknownPathsAndTheApiIsLookedUpOnce()
    {
        await Fixture.Data.CompanyAsync(); // a real key exists beside the made-up one
        var (_, madeUp) = ApiKeys.Generate();
        var statuses = new Dictionary<string, HashSet<HttpStatusCode>>();

        var lookups = await CountKeyLookupsAsync([], async app =>
        {
            using var client = app.ClientWithKey(madeUp);
            foreach (var path in Paths)
            {
                statuses[path] = [];
                for (var i = 0; i < Flood; i++)
                {
                    using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
                    statuses[path].Add(response.StatusCode);
                }
            }
        });

        Assert.Equal([HttpStatusCode.OK], statuses["/health/live"]);
        Assert.Equal([HttpStatusCode.OK], statuses["/metrics"]);
        Assert.Equal([HttpStatusCode.OK], statuses["/openapi/v1.json"]);
        Assert.Equal([HttpStatusCode.NotFound], statuses["/no/such/path"]);
        Assert.Subset(new HashSet<HttpStatusCode> { HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests }, statuses[ContractAssert.ContactsPath]);
        Assert.Equal(1, lookups);
    }

    [SkippableFact]
    public async Task AMadeUpKeyIsRememberedAsUnknownForFiveSecondsThenLookedUpAgain()
    {
        await Fixture.Data.CompanyAsync();
        var key = ApiKeys.Generate().Token;
        var statuses = new List<HttpStatusCode>();

        var lookups = await CountKeyLookupsAsync([], async app =>
        {
            var clock = (FakeTimeProvider)app.Services.GetRequiredService<TimeProvider>();
            using var client = app.ClientWithKey(key);
            foreach (var advance in MissSteps)
            {
                clock.Advance(TimeSpan.FromMilliseconds(advance));
                using var response = await client.GetAsync(new Uri(ContractAssert.ContactsPath, UriKind.Relative));
                statuses.Add(response.StatusCode);
            }
        });

        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.Unauthorized, status));
        // The first request and the one 5.1 s later: not the repeat, nor the one at 4.9 s.
        Assert.Equal(2, lookups);
    }

    [SkippableFact]
    public async Task NewMadeUpKeysAreNotLookedUpOnceTheAddressHasUsedUpItsFailedAuthentications()
    {
        await Fixture.Data.CompanyAsync();
        var statuses = new List<HttpStatusCode>();

        var lookups = await CountKeyLookupsAsync(
            ["--RateLimits:FailedAuthPerAddress:BucketSize=5", "--RateLimits:FailedAuthPerAddress:PermitsPerSecond=0.001"],
            async app =>
            {
                for (var i = 0; i < 50; i++)
                {
                    using var client = app.ClientWithKey(ApiKeys.Generate().Token);
                    using var response = await client.GetAsync(new Uri(ContractAssert.ContactsPath, UriKind.Relative));
                    statuses.Add(response.StatusCode);
                }
            });

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Unauthorized, 5), statuses.Take(5));
        Assert.All(statuses.Skip(5), status => Assert.Equal(HttpStatusCode.TooManyRequests, status));
        Assert.Equal(5, lookups);
    }
}

/// <summary>
/// SQLite has no server to ask, so the statements are counted by Contacts.Data's own counter, alone in the process
/// (the collection runs without parallel tests) over a service with no background writes.
/// </summary>
[Collection(SequentialCollection.Name)]
public sealed class SqliteStrangerCostTests(SqliteAppFixture fixture) : StrangerCostTests(fixture), IClassFixture<SqliteAppFixture>
{
    protected override async Task<long> CountKeyLookupsAsync(string[] settings, Func<TestApp, Task> flood)
    {
        await using var app = await StartAsync(Fixture.Database.ConnectionString, settings);
        using var commands = new CommandCounter();
        await flood(app);
        return commands.Count;
    }
}

/// <summary>
/// On PostgreSQL the server counts: every key lookup scans api_key once (through contacts_find_key), and nothing else
/// the service does here reads that table. A backend hands its statistics over when it exits, so the count is read once
/// the service has stopped and its sessions (recognised by their application name) are gone.
/// </summary>
public sealed class PostgresStrangerCostTests(PostgresAppFixture fixture) : StrangerCostTests(fixture), IClassFixture<PostgresAppFixture>
{
    protected override async Task<long> CountKeyLookupsAsync(string[] settings, Func<TestApp, Task> flood)
    {
        var name = "stranger_" + Guid.NewGuid().ToString("N")[..8];
        var before = await ScansAsync();
        await using (var app = await StartAsync($"{Fixture.Database.ConnectionString};Application Name={name}", settings))
        {
            await flood(app);
        }
        await ServerStatistics.WaitForSessionsToEndAsync(Fixture.Database.ConnectionString, name);
        return await ScansAsync() - before;
    }

    private Task<long> ScansAsync() => ServerStatistics.ScalarAsync(Fixture.Database.ConnectionString,
        "SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0) FROM pg_stat_user_tables WHERE relname = 'api_key'");
}
