using System.Diagnostics;
using System.Globalization;
using System.Net;
using Contacts.Data;
using Contacts.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Contacts.Tests.Trust;

/// <summary>
/// One company flooding the API with heavy pages does not hold the database from another (docs/reliability.md#a-fair-share-of-the-database):
/// with the default settings, derived from Database:MaxPoolSize.
/// </summary>
public abstract class FairShareTests(AppFixture fixture, ITestOutputHelper output)
{
    private const int BigCompanyContacts = 20_000;
    private const int Flooders = 64;

    /// <summary>
    /// 64 concurrent <c>updated_since=2000-01-01&amp;page=N&amp;limit=100</c> requests of one company, the issue's flood, and
    /// another company's <c>page=1&amp;limit=10</c> meanwhile. Without a per-company share the victim's request waits in
    /// the same queue for a connection as the flood's, so it takes as long as theirs; with it, a small fraction. The bound
    /// is relative to the flood's own latency so that it holds on a loaded machine as on an idle one.
    /// </summary>
    [SkippableFact]
    public async Task ACompanysRequestIsServedPromptlyWhileAnotherFloodsTheApiWithHeavyPages()
    {
        var big = await fixture.Data.CompanyAsync();
        await fixture.Data.FillAsync(big.Id, BigCompanyContacts);
        var victim = await fixture.Data.CompanyAsync();
        await fixture.Data.ContactAsync(victim.Id, "Vic", "Tim");
        await using var app = await TestApp.StartAsync(fixture.Database, "--RateLimits:Enabled=false");
        using var flooder = app.ClientWithKey(big.Key);
        using var victimClient = app.ClientWithKey(victim.Key);
        using (var warm = await victimClient.GetAsync(new Uri("/api/v1/contacts?page=1&limit=10", UriKind.Relative)))
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);

        using var stop = new CancellationTokenSource();
        var floodTimes = new List<TimeSpan>();
        var answered = 0;
        var victimDone = false;
        var measured = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var okCount = 0;
        var steady = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var flood = Enumerable.Range(0, Flooders).Select(n => Task.Run(async () =>
        {
            for (var page = 1 + n; !stop.IsCancellationRequested; page = page % (BigCompanyContacts / 100) + 1)
            {
                var started = Stopwatch.GetTimestamp();
                bool ok;
                try
                {
                    using var response = await flooder.GetAsync(
                        new Uri($"/api/v1/contacts?updated_since=2000-01-01&page={page}&limit=100", UriKind.Relative), stop.Token);
                    await response.Content.ReadAsByteArrayAsync(stop.Token);
                    ok = response.StatusCode == HttpStatusCode.OK;
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
                lock (floodTimes)
                {
                    floodTimes.Add(Stopwatch.GetElapsedTime(started));
                    if (ok) okCount++;
                    if (floodTimes.Count >= Flooders && victimDone) measured.TrySetResult();
                }
                if (Interlocked.Increment(ref answered) == Flooders) steady.TrySetResult();
            }
        })).ToList();

        // Every flooder has had an answer: the flood is at full strength from here on.
        await steady.Task.WaitAsync(TimeSpan.FromMinutes(2));
        lock (floodTimes)
        {
            floodTimes.Clear();
            okCount = 0;
        }
        var victimTimes = new List<TimeSpan>();
        for (var i = 0; i < 5; i++)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await victimClient.GetAsync(new Uri("/api/v1/contacts?page=1&limit=10", UriKind.Relative));
            victimTimes.Add(Stopwatch.GetElapsedTime(started));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        // The flood's latency over the same stretch: at least one answer per flooder, from before the victim's first request on.
        lock (floodTimes)
        {
            victimDone = true;
            if (floodTimes.Count >= Flooders) measured.TrySetResult();
        }
        await measured.Task.WaitAsync(TimeSpan.FromMinutes(2));
        TimeSpan[] during;
        int answeredOk;
        lock (floodTimes)
        {
            during = [.. floodTimes];
            answeredOk = okCount;
        }
        await stop.CancelAsync();
        await Task.WhenAll(flood);

        var victimMedian = Median(victimTimes);
        var floodMedian = Median(during);
        output.WriteLine($"victim median {victimMedian.TotalMilliseconds:F0} ms, flood median {floodMedian.TotalMilliseconds:F0} ms, " +
                         $"{during.Length} flood answers ({during.Length - answeredOk} not 200)");
        Assert.True(victimMedian * 4 < floodMedian,
            $"the victim's median {victimMedian.TotalMilliseconds:F0} ms is not under a quarter of the flood's {floodMedian.TotalMilliseconds:F0} ms " +
            $"({during.Length} flood answers; victim: {string.Join(", ", victimTimes.Select(t => t.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture)))} ms)");
    }

    private static TimeSpan Median(IReadOnlyCollection<TimeSpan> times) => times.Order().ElementAt(times.Count / 2);
}

public sealed class SqliteFairShareTests(SqliteAppFixture fixture, ITestOutputHelper output)
    : FairShareTests(fixture, output), IClassFixture<SqliteAppFixture>;

public sealed class PostgresFairShareTests(PostgresAppFixture fixture, ITestOutputHelper output)
    : FairShareTests(fixture, output), IClassFixture<PostgresAppFixture>;
