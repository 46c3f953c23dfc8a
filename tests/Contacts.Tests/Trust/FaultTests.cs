using System.Globalization;
using System.Net;
using Contacts.Tests.Api;
using Contacts.Tests.Infrastructure;
using Npgsql;

namespace Contacts.Tests.Trust;

/// <summary>The fault tests load the machine (load loops, child processes, big imports): they run one after another.</summary>
[CollectionDefinition(Name)]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "xunit names collection definitions ...Collection")]
public sealed class FaultCollection
{
    public const string Name = "Faults";
}

/// <summary>
/// PostgreSQL misbehaving under the running service: stopped under load, and a statement held up by a lock.
/// Every answer is a 200 or a prompt 503 with Retry-After; the service recovers by itself.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class PostgresFaultTests
{
    private const int ConnectTimeout = 2;
    private const int CommandTimeout = 3;

    // No request may outlive the timeouts it is configured with by much: the generous margin absorbs a loaded CI
    // machine, while a hang (a request waiting on a dead server) would still run into the client's 60 s.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(ConnectTimeout + CommandTimeout + 10);

    private static readonly string[] QuietDatabaseWarnings = ["--Logging:LogLevel:Contacts.Api=Error"];

    [SkippableFact]
    public async Task StoppedDatabaseUnderLoadAnswers200Or503PromptlyStaysFlatAndRecoversWithoutRestart()
    {
        // its own server: stopping it disturbs no other test
        var server = new PostgresServer();
        try
        {
            await server.InitializeAsync();
            Ci.SkipIf(server.UnavailableReason is not null, server.UnavailableReason);
            await using var database = await TestDatabase.PostgresAsync(server);
            // A child process, so that its memory is the service's alone (not this test host's, with other tests running).
            var (service, address) = await ContactsProcess.ServeAsync(TimeSpan.FromSeconds(60),
            [
                "--Database:Provider=postgres", $"--ConnectionStrings:Contacts={database.ConnectionString}",
                $"--Database:ConnectTimeoutSeconds={ConnectTimeout}", $"--Database:CommandTimeoutSeconds={CommandTimeout}",
                "--Logging:LogLevel:Default=Warning", .. QuietDatabaseWarnings,
            ]);
            await using var serviceLifetime = service;
            var data = new TestData(database);
            var company = await data.CompanyAsync();
            for (var i = 0; i < 20; i++) await data.ContactAsync(company.Id, "Jane" + i, "Doe", phone: "55501" + i.ToString("D3", CultureInfo.InvariantCulture));
            using var client = new HttpClient { BaseAddress = address };
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", company.Key);
            client.Timeout = TimeSpan.FromSeconds(60); // a hang shows up as a long Elapsed, not as a client-side cancel
            var url = ContractAssert.ContactsPath + "?limit=5&search=jane";
            // Warmed up first (the first requests compile and fill pools), so that what follows is growth, not start-up.
            for (var i = 0; i < 50; i++) Assert.Equal(HttpStatusCode.OK, (await Load.ShootAsync(client, url, 0)).Status);
            var memoryBefore = service.Memory().Resident;

            var load = new Load();
            var running = load.RunAsync(client, url, loops: 8, maxPerLoop: 3_000, pause: TimeSpan.FromMilliseconds(5));
            // Each phase lasts until the load has seen what the phase is about, not for a fixed time.
            Assert.True(await Load.UntilAsync(() => load.Shots.Count(s => s.Status == HttpStatusCode.OK) >= 100, TimeSpan.FromSeconds(30)),
                "the load did not get going");
            load.Phase = 1;
            await server.StopAsync();
            Assert.True(await Load.UntilAsync(() => load.Shots.Count(s => s.Phase == 1 && s.Status == HttpStatusCode.ServiceUnavailable) >= 100,
                TimeSpan.FromSeconds(30)), "no 100 answers of 503 while PostgreSQL was stopped");
            load.Phase = 2;
            await server.StartAsync();
            var restarted = DateTime.UtcNow;
            var recovered = await Load.UntilAsync(() => load.Shots.Any(s => s.Phase == 2 && s.Status == HttpStatusCode.OK), TimeSpan.FromSeconds(20));
            var recoveredAfter = DateTime.UtcNow - restarted;
            await Load.UntilAsync(() => load.Shots.Count(s => s.Phase == 2 && s.Status == HttpStatusCode.OK) >= 100, TimeSpan.FromSeconds(30));
            load.Stop();
            await running;

            var shots = load.Shots.ToList();
            var summary = $"{shots.Count} requests: {shots.Count(s => s.Status == HttpStatusCode.OK)} × 200, " +
                          $"{shots.Count(s => s.Status == HttpStatusCode.ServiceUnavailable)} × 503, recovered {recoveredAfter.TotalSeconds:F1} s after restart";
            Assert.True(recovered, "no 200 within 20 s of PostgreSQL starting again; " + summary);
            Assert.All(shots, s => Assert.True(s.Status is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, s.ToString()));
            Assert.All(shots.Where(s => s.Status == HttpStatusCode.ServiceUnavailable), s => Assert.True(s.RetryAfter, "503 without Retry-After"));
            Assert.Contains(shots, s => s.Phase == 1 && s.Status == HttpStatusCode.ServiceUnavailable);
            var slowest = shots.MaxBy(s => s.Elapsed)!;
            Assert.True(slowest.Elapsed < Bound, $"slowest request {slowest} exceeds {Bound.TotalSeconds} s; {summary}");
            // every loop ends on 200s: the pool dropped its dead connections by itself
            Assert.All(shots.TakeLast(8), s => Assert.Equal(HttpStatusCode.OK, s.Status));

            var (memoryAfter, memoryPeak) = service.Memory();
            Assert.True(memoryAfter < memoryBefore * 3 + 64_000_000,
                $"the service's resident memory grew from {memoryBefore / 1_000_000} MB to {memoryAfter / 1_000_000} MB over {summary}");
            Console.WriteLine($"[faults] PostgreSQL stopped under load: {summary}; slowest {slowest.Elapsed.TotalMilliseconds:F0} ms; " +
                              $"service resident memory {memoryBefore / 1_000_000} → {memoryAfter / 1_000_000} MB (peak {memoryPeak / 1_000_000} MB)");
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    [SkippableFact]
    public async Task StatementHeldUpByALockIsCutOffByTheCommandTimeoutAs503AndTheServiceRecovers()
    {
        var server = await PostgresServer.SharedAsync();
        Ci.SkipIf(server.UnavailableReason is not null, server.UnavailableReason);
        await using var database = await TestDatabase.PostgresAsync(server);
        await using var app = await TestApp.StartAsync(database, ["--Database:CommandTimeoutSeconds=1", .. QuietDatabaseWarnings]);
        var company = await new TestData(database).CompanyAsync();
        await new TestData(database).ContactAsync(company.Id, "Jane", "Doe");
        using var client = app.ClientWithKey(company.Key);
        client.Timeout = TimeSpan.FromSeconds(60);
        Assert.Equal(HttpStatusCode.OK, (await Load.ShootAsync(client, ContractAssert.ContactsPath, 0)).Status);

        await using (var locker = new NpgsqlConnection(database.ConnectionString))
        {
            await locker.OpenAsync();
            await using var transaction = await locker.BeginTransactionAsync();
            await using (var take = new NpgsqlCommand("LOCK TABLE contact IN ACCESS EXCLUSIVE MODE", locker, transaction))
            {
                await take.ExecuteNonQueryAsync();
            }
            // several at once, so that several pooled connections see their statement cancelled
            var held = await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
            {
                var clock = System.Diagnostics.Stopwatch.StartNew();
                var response = await client.GetAsync(new Uri(ContractAssert.ContactsPath, UriKind.Relative));
                return (Response: response, clock.Elapsed);
            }));
            foreach (var (response, elapsed) in held)
            {
                using (response)
                {
                    await ContractAssert.ProblemAsync(response, HttpStatusCode.ServiceUnavailable);
                    Assert.NotNull(response.Headers.RetryAfter);
                    Assert.True(elapsed < TimeSpan.FromSeconds(1 + 10), $"a held-up request took {elapsed.TotalSeconds:F1} s with a 1 s command timeout");
                }
            }
            await transaction.RollbackAsync();
        }

        // the connections whose statements were cancelled serve again (or were replaced): every request is a 200
        var after = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => Load.ShootAsync(client, ContractAssert.ContactsPath, 1)));
        Assert.All(after, s => Assert.Equal(HttpStatusCode.OK, s.Status));
    }

    [SkippableFact]
    public async Task SigtermFinishesInFlightRequestsRefusesNewConnectionsAndExitsZero()
    {
        var server = await PostgresServer.SharedAsync();
        Ci.SkipIf(server.UnavailableReason is not null, server.UnavailableReason);
        await using var database = await TestDatabase.PostgresAsync(server);
        var company = await new TestData(database).CompanyAsync();
        for (var i = 0; i < 20; i++) await new TestData(database).ContactAsync(company.Id, "Jane" + i, "Doe");
        const int shutdownTimeout = 10;
        var (service, address) = await ContactsProcess.ServeAsync(TimeSpan.FromSeconds(30),
            "--Database:Provider=postgres", $"--ConnectionStrings:Contacts={database.ConnectionString}",
            "--Database:CommandTimeoutSeconds=30", "--Database:MaxPoolSize=16", // 8 requests held inside the database at once
            $"--shutdownTimeoutSeconds={shutdownTimeout}", "--Logging:LogLevel:Default=Warning");
        await using var serviceLifetime = service;
        var port = address.Port;
        using var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", company.Key);
        var url = ContractAssert.ContactsPath + "?limit=20";

        // load, then a lock that holds every loop's next request inside the service, then SIGTERM
        var load = new Load();
        var running = load.RunAsync(client, url, loops: 8, maxPerLoop: 2_000, pause: TimeSpan.Zero, stopWhenRefused: true);
        Assert.True(await Load.UntilAsync(() => load.Shots.Count >= 200, TimeSpan.FromSeconds(20)), "the load did not get going");
        await using var locker = new NpgsqlConnection(database.ConnectionString);
        await locker.OpenAsync();
        await using var transaction = await locker.BeginTransactionAsync();
        await using (var take = new NpgsqlCommand("LOCK TABLE contact IN ACCESS EXCLUSIVE MODE", locker, transaction))
        {
            await take.ExecuteNonQueryAsync();
        }
        Assert.True(await WaitingOnLocksAsync(locker, 8, TimeSpan.FromSeconds(20)), "the 8 requests did not reach the lock: " + await SessionsAsync(locker));
        var beforeSignal = load.Shots.Count;

        await service.SignalAsync("TERM");
        Assert.True(await Load.UntilAsync(() => !ContactsProcess.AcceptsConnectionsAsync(port).GetAwaiter().GetResult(), TimeSpan.FromSeconds(10)),
            "still accepting connections 10 s after SIGTERM");
        Assert.Equal(beforeSignal, load.Shots.Count); // the 8 are still inside, waiting for the lock
        Assert.False(service.HasExited, "exited with requests in flight");
        await transaction.RollbackAsync();

        await running;
        Assert.True(await service.WaitForExitAsync(TimeSpan.FromSeconds(shutdownTimeout + 10)), "no exit after SIGTERM: " + service);
        Assert.True(service.ExitCode == 0, service.ToString());
        var shots = load.Shots.ToList();
        // what came back after the signal: the 8 held requests, each a full 200, then one refused connect per loop
        var afterSignal = shots.Skip(beforeSignal).ToList();
        Assert.Equal(8, afterSignal.Count(s => s.Status == HttpStatusCode.OK));
        Assert.Equal(8, afterSignal.Count(s => s.Refused));
        // and nothing else ever: no resets, no half answers
        Assert.All(shots, s => Assert.True(s.Status == HttpStatusCode.OK || s.Refused, s.ToString()));
        Console.WriteLine($"[faults] SIGTERM under load: {shots.Count(s => s.Status == HttpStatusCode.OK)} × 200 (8 in flight at the signal), " +
                          $"{shots.Count(s => s.Refused)} refused afterwards, exit {service.ExitCode}");
    }

    // Ctrl+C or SIGTERM while the service is still starting (here: waiting for another server's migration) ends it with
    // one line, not an unhandled-exception stack trace.
    [SkippableFact]
    public async Task AStopWhileStartingEndsWithOneLineAndNoStackTrace()
    {
        var server = await PostgresServer.SharedAsync();
        Ci.SkipIf(server.UnavailableReason is not null, server.UnavailableReason);
        await using var database = await TestDatabase.PostgresAsync(server);
        await using var holder = new NpgsqlConnection(database.ConnectionString);
        await holder.OpenAsync();
        await using (var hold = new NpgsqlCommand("SELECT pg_advisory_lock(7243301)", holder)) await hold.ExecuteNonQueryAsync();
        await using var service = ContactsProcess.Start("serve", "--urls=http://127.0.0.1:0",
            "--Database:Provider=postgres", $"--ConnectionStrings:Contacts={database.ConnectionString}");
        Assert.True(await WaitingOnLocksAsync(holder, 1, TimeSpan.FromSeconds(30)), "the service did not reach the migration lock: " + service);

        await service.SignalAsync("TERM");

        Assert.True(await service.WaitForExitAsync(TimeSpan.FromSeconds(20)), "no exit after SIGTERM: " + service);
        Assert.Equal(1, service.ExitCode);
        Assert.Contains("error: stopped before the service had started", service.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", service.Stderr, StringComparison.Ordinal);
    }

    private static async Task<string> SessionsAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand(
            "SELECT string_agg(concat_ws(' ', application_name, state, wait_event_type, wait_event, left(query, 40)), '; ') " +
            "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()", connection);
        return Convert.ToString(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture) ?? "";
    }

    private static async Task<bool> WaitingOnLocksAsync(NpgsqlConnection connection, int count, TimeSpan bound)
    {
        var deadline = DateTime.UtcNow + bound;
        while (DateTime.UtcNow < deadline)
        {
            await using var command = new NpgsqlCommand(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' " +
                // only the service's own sessions: an autovacuum worker queued on the lock would count too
                "AND backend_type = 'client backend' AND application_name = 'contacts'", connection);
            if (Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture) >= count) return true;
            await Task.Delay(50);
        }
        return false;
    }
}
