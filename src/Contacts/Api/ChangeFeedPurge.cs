using Contacts.Data;
using Contacts.Data.Changes;
using Microsoft.Extensions.Options;

#pragma warning disable CA1848, CA1873 // a background job logging once an hour: LoggerMessage would buy nothing here

namespace Contacts.Api;

/// <summary>Deletes the feed's tombstones older than Sync:HistoryDays, at start and then every Sync:PurgeIntervalMinutes.</summary>
public sealed class ChangeFeedPurge(ContactsDatabase db, IOptions<SyncOptions> options, TimeProvider clock, ILogger<ChangeFeedPurge> logger)
    : BackgroundService
{
    /// <summary>One purge now; returns how many tombstones went.</summary>
    public async Task<long> PurgeOnceAsync(CancellationToken ct = default)
    {
        var before = clock.GetUtcNow().UtcDateTime.AddDays(-options.Value.HistoryDays);
        var purged = await ChangeFeedQueries.PurgeAsync(db, before, ct);
        if (purged > 0) logger.LogInformation("Purged {Count} change feed deletions recorded before {Before:O}", purged, before);
        return purged;
    }

    // The first purge runs before the server listens (after the migrations), so requests never race it.
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await PurgeSafelyAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(options.Value.PurgeIntervalMinutes), clock);
        while (await timer.WaitForNextTickAsync(stoppingToken)) await PurgeSafelyAsync(stoppingToken);
    }

    private async Task PurgeSafelyAsync(CancellationToken ct)
    {
        try
        {
            await PurgeOnceAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The next round tries again; meanwhile tombstones are only kept longer.
            logger.LogWarning(e, "Purging the change feed's deletions failed");
        }
    }
}
