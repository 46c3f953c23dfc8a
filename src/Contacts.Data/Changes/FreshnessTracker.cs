namespace Contacts.Data.Changes;

/// <summary>
/// The arithmetic of the freshness metrics, from successive samples, every time in the primary's clock (the commit
/// times were drawn there too, so no clock of this machine takes part). docs/operations.md#freshness.
/// </summary>
public sealed class FreshnessTracker
{
    private readonly Dictionary<string, DateTimeOffset> _caughtUpAt = [];
    private long? _oldestId;
    private DateTimeOffset _oldestSince;

    /// <summary>
    /// How long the oldest running transaction id has been the oldest, from the first sample that saw it: a lower bound,
    /// short by up to one sample period (more when an older transaction hid it), and 0 when no transaction holds an id.
    /// The age pg_stat_activity shows is exact where the role may see it, so the larger of the two wins.
    /// </summary>
    public double OldestWriteTransactionSeconds(DateTimeOffset now, long? oldestId, double? visibleSeconds)
    {
        if (oldestId != _oldestId)
        {
            _oldestId = oldestId;
            _oldestSince = now;
        }
        var tracked = oldestId is null ? 0 : (now - _oldestSince).TotalSeconds;
        return Math.Max(tracked, visibleSeconds ?? 0);
    }

    /// <summary>
    /// How long a node's feed has been missing a commit the primary shows: 0 when its newest commit is at least the
    /// primary's. Otherwise the first commit it lacks came after its own newest one, and after the last sample that found
    /// it caught up: the smaller of the two ages is an upper bound, within a sample period of the truth. (The plain
    /// difference of the two newest commits would call a standby stuck since the primary's last commit a second behind
    /// for as long as the primary stays quiet, and one sampled a millisecond before it replays the first commit after a
    /// quiet hour an hour behind.)
    /// </summary>
    public double HorizonLagSeconds(string node, DateTimeOffset now, DateTimeOffset? primaryNewest, DateTimeOffset? nodeNewest)
    {
        if (primaryNewest is not { } newest || nodeNewest >= newest)
        {
            _caughtUpAt[node] = now;
            return 0;
        }
        TimeSpan? lag = nodeNewest is { } own ? now - own : null;
        if (_caughtUpAt.TryGetValue(node, out var caughtUp) && (lag is null || now - caughtUp < lag)) lag = now - caughtUp;
        // Never seen caught up and no commit at all: at least as old as the primary's newest commit.
        return Math.Max(0, (lag ?? now - newest).TotalSeconds);
    }
}
