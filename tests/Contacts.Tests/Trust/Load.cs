using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Contacts.Tests.Trust;

/// <summary>One request of a load run: its status (null when no response came), how long it took, and what failed.</summary>
public sealed record Shot(int Phase, HttpStatusCode? Status, TimeSpan Elapsed, bool RetryAfter, Exception? Error)
{
    /// <summary>The connection was refused: nothing was sent, the server no longer listens.</summary>
    public bool Refused => Error is HttpRequestException { InnerException: SocketException { SocketErrorCode: SocketError.ConnectionRefused } };

    public override string ToString() => $"phase {Phase}: {(Status is { } s ? ((int)s).ToString(System.Globalization.CultureInfo.InvariantCulture) : Error?.GetType().Name + ": " + Error?.Message)} in {Elapsed.TotalMilliseconds:F0} ms";
}

/// <summary>
/// Bounded load: a few loops, each sending one request after another on a shared client until told to stop,
/// at most a fixed number of requests each. Every request is recorded with the phase the test was in when it started.
/// </summary>
public sealed class Load
{
    private readonly ConcurrentQueue<Shot> _shots = new();
    private volatile bool _stop;

    public int Phase { get; set; }
    public IReadOnlyCollection<Shot> Shots => _shots;

    public void Stop() => _stop = true;

    public Task RunAsync(HttpClient client, string url, int loops, int maxPerLoop, TimeSpan pause, bool stopWhenRefused = false) =>
        Task.WhenAll(Enumerable.Range(0, loops).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < maxPerLoop && !_stop; i++)
            {
                var shot = await ShootAsync(client, url, Phase);
                _shots.Enqueue(shot);
                if (stopWhenRefused && shot.Refused) return;
                if (pause > TimeSpan.Zero) await Task.Delay(pause);
            }
        })));

    public static async Task<Shot> ShootAsync(HttpClient client, string url, int phase)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            using var response = await client.GetAsync(new Uri(url, UriKind.Relative), HttpCompletionOption.ResponseContentRead);
            _ = await response.Content.ReadAsByteArrayAsync();
            return new Shot(phase, response.StatusCode, clock.Elapsed, response.Headers.RetryAfter is not null, null);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            return new Shot(phase, null, clock.Elapsed, false, e);
        }
    }

    /// <summary>Waits until the condition holds, checking every 50 ms, at most the bound; false if it never did.</summary>
    public static async Task<bool> UntilAsync(Func<bool> condition, TimeSpan bound)
    {
        var deadline = DateTime.UtcNow + bound;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) return false;
            await Task.Delay(50);
        }
        return true;
    }
}
