using System.Collections.Concurrent;

namespace Contacts.Data.Contacts;

/// <summary>
/// Exact totals of short-term searches (one or two text elements, which match most of a company and cost a count over
/// all of it), each stored with the change horizon of the snapshot that counted it (SqlDialect.ChangeHorizon). The
/// count statement recounts only when the company has a change at or past that horizon, so writes by any application
/// invalidate an entry, and nothing in the write path changes (no counter row, no lock).
/// Bounded: when full, it starts over (a miss only costs the count it would have cost anyway). An entry not validated
/// for <see cref="MaxAge"/> is dropped: the change feed purges tombstones after days (Sync:HistoryDays), and a deletion
/// whose tombstone were gone could no longer invalidate an entry that old.
/// </summary>
internal sealed class SearchTotals(int capacity)
{
    public const int DefaultCapacity = 10_000;
    public static readonly TimeSpan MaxAge = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<(long Company, string Term), (long Since, long Total, long At)> _entries = new();

    public bool TryGet(long company, string term, out long since, out long total)
    {
        var found = _entries.TryGetValue((company, term), out var entry)
                    && Environment.TickCount64 - entry.At < (long)MaxAge.TotalMilliseconds;
        (since, total) = found ? (entry.Since, entry.Total) : (-1, 0);
        return found;
    }

    /// <summary>After every cacheable count, a hit included: the hit proved the total still exact under the newer horizon.</summary>
    public void Set(long company, string term, long since, long total)
    {
        if (_entries.Count >= capacity) _entries.Clear();
        _entries[(company, term)] = (since, total, Environment.TickCount64);
    }

    public int Count => _entries.Count;
}
