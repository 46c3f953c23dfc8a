using System.Diagnostics.Metrics;
using Contacts.Data;
using Contacts.Data.Changes;
using Microsoft.Extensions.Options;

#pragma warning disable CA1848, CA1873 // logged on a change of state only, not per sample

namespace Contacts.Operations;

/// <summary>
/// Samples every Metrics:FreshnessSampleSeconds, in the background rather than per scrape or request, how far each node's
/// change feed trails the newest commit (contacts.feed.horizon_lag, by node) and how old the oldest write transaction on
/// the primary is (contacts.db.oldest_write_transaction_age). PostgreSQL only: SQLite has one node and one writer, so
/// neither means anything there, and the series do not exist. A series is absent while its node does not answer (the
/// exporter drops a series its callback no longer reports), never its last value passing for a current one.
/// docs/operations.md#freshness-of-the-change-feed-postgresql.
/// </summary>
public sealed class FeedFreshness(ContactsDatabase db, IMeterFactory meters, IOptions<MetricsOptions> options, TimeProvider clock,
    ILogger<FeedFreshness> logger) : BackgroundService
{
    public const string MeterName = "Contacts.Freshness";
    private const string PrimaryNode = "primary";
    private readonly FreshnessTracker _tracker = new();
    private volatile Measurement<double>[] _horizonLags = [];
    private volatile Measurement<double>[] _oldestWriteTransaction = [];
    private bool _failing;
    private bool _warnedMayNotRead;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!db.Dialect.TracksFreshness) return;
        // From this host's factory (disposed with it), not a static meter: see Telemetry.AddContactsTelemetry.
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("contacts.feed.horizon_lag", () => _horizonLags, unit: "s",
            description: "How long each node's change feed has been missing a commit the primary shows (0: none; the primary: 0).");
        meter.CreateObservableGauge("contacts.db.oldest_write_transaction_age", () => _oldestWriteTransaction, unit: "s",
            description: "Age of the oldest transaction holding a transaction id on the primary's cluster (0: none), within a sample period.");

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.FreshnessSampleSeconds), clock);
        do
        {
            await SampleAsync(stoppingToken);
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task SampleAsync(CancellationToken ct)
    {
        var standbys = db.Replicas?.Standbys ?? [];
        PrimaryFreshness primary;
        try
        {
            primary = await FreshnessQueries.ReadPrimaryAsync(db, ct);
            if (_failing) logger.LogInformation("Freshness sampling on the primary works again");
            _failing = false;
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            if (!_failing) logger.LogWarning(e, "Freshness sampling on the primary failed; no freshness metrics until it answers");
            _failing = true;
            (_oldestWriteTransaction, _horizonLags) = ([], []);
            return;
        }
        _oldestWriteTransaction =
            [new(_tracker.OldestWriteTransactionSeconds(primary.Now, primary.OldestTransactionId, primary.OldestVisibleSeconds))];
        if (!primary.MayRead)
        {
            if (!_warnedMayNotRead)
                logger.LogWarning("The database role may not execute contacts_change_newest_commit(): no contacts.feed.horizon_lag " +
                                  "(GRANT EXECUTE ON FUNCTION contacts_change_newest_commit() TO the service's role; docs/operations.md)");
            _warnedMayNotRead = true;
            _horizonLags = [];
            return;
        }

        // After the primary: a commit landing in between makes a standby look ahead (0), never behind.
        var readings = await Task.WhenAll(standbys.Select(async node =>
        {
            try
            {
                return await FreshnessQueries.ReadStandbyAsync(node, ct);
            }
            catch (Exception) when (!ct.IsCancellationRequested)
            {
                return (MayRead: false, NewestCommit: (DateTimeOffset?)null); // down: contacts.db.node.up says so
            }
        }));
        _horizonLags = [Lag(PrimaryNode, 0), .. standbys.Zip(readings).Where(r => r.Second.MayRead).Select(r =>
            Lag(r.First.Name, _tracker.HorizonLagSeconds(r.First.Name, primary.Now, primary.NewestCommit, r.Second.NewestCommit)))];
    }

    // Node names only ("primary", "replica-1"): labels carry no host, port, database or user.
    private static Measurement<double> Lag(string node, double seconds) => new(seconds, new KeyValuePair<string, object?>("node", node));
}
