using Contacts.Data.Keys;
using System.Collections.Concurrent;
using Contacts.Data;
using Microsoft.Extensions.Options;

#pragma warning disable CA1848, CA1873 // a warning when a last-used flush fails, once a minute at most

namespace Contacts.Auth;

/// <summary>Collects which keys were used and writes last_used_at in one batch now and then, not per request.</summary>
internal sealed class KeyUsage(ContactsDatabase db, IOptionsMonitor<ApiKeyOptions> options, TimeProvider time, ILogger<KeyUsage> logger)
    : BackgroundService
{
    private readonly ConcurrentDictionary<string, byte> _used = new();

    public void Record(string keyId) => _used.TryAdd(keyId, 0);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = TimeSpan.FromSeconds(options.Get(ApiKeyAuthentication.Scheme).LastUsedFlushSeconds);
        using var timer = new PeriodicTimer(period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken)) await FlushAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
        }
        await FlushAsync(CancellationToken.None);
    }

    public async Task FlushAsync(CancellationToken ct)
    {
        var keys = _used.Keys.ToList();
        if (keys.Count == 0) return;
        foreach (var key in keys) _used.TryRemove(key, out _);
        try
        {
            await KeyQueries.TouchAsync(db, keys, time.GetUtcNow().UtcDateTime, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Kept for the next flush (e.g. SQLite locked by a long import), so a use is late but never lost.
            foreach (var key in keys) _used.TryAdd(key, 0);
            logger.LogWarning(e, "Could not record last_used_at for {Count} keys; will retry at the next flush", keys.Count);
        }
    }
}
