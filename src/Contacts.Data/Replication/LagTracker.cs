namespace Contacts.Data.Replication;

/// <summary>
/// How far a standby is behind, in time, from the primary's WAL positions sampled by the monitor: a standby that has
/// replayed the primary's latest position is not behind at all, however long ago the last write was (the replay
/// timestamp alone would call a standby of an idle primary ever more stale). Otherwise it is behind by the age of the
/// newest sample it has replayed: it has everything the primary had written then, and perhaps not a byte more.
/// </summary>
internal sealed class LagTracker(TimeSpan window)
{
    private readonly Queue<(DateTimeOffset At, ulong Lsn)> _samples = new();
    private readonly Lock _lock = new();

    public ulong? LatestPrimaryLsn
    {
        get { lock (_lock) return _samples.Count == 0 ? null : _samples.Last().Lsn; }
    }

    public void RecordPrimary(DateTimeOffset at, ulong lsn)
    {
        lock (_lock)
        {
            _samples.Enqueue((at, lsn));
            // Older samples only matter to tell lags longer than the window apart, and all of those are "too far behind".
            while (_samples.Count > 1 && _samples.Peek().At < at - window) _samples.Dequeue();
        }
    }

    /// <summary>Null when the primary was never sampled (nothing to compare with).</summary>
    public TimeSpan? Lag(DateTimeOffset now, ulong replayed)
    {
        lock (_lock)
        {
            if (_samples.Count == 0) return null;
            DateTimeOffset? caughtUpTo = null;
            foreach (var (at, lsn) in _samples)
            {
                if (lsn <= replayed) caughtUpTo = at;
                else break;
            }
            if (_samples.Last().Lsn <= replayed) return TimeSpan.Zero;
            // Behind even the oldest sample kept: at least the window.
            var since = caughtUpTo ?? _samples.Peek().At;
            var lag = now - since;
            return lag < TimeSpan.Zero ? TimeSpan.Zero : lag;
        }
    }
}
