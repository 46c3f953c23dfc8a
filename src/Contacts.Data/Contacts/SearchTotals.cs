using System.Collections.Concurrent;

namespace Contacts.Data.Contacts;

/// <summary>
/// Exact totals of searches per (company, folded term): a short term (one or two text elements) matches most of a
/// company and costs a count over all of it, a longer one a trigram lookup of every match. Each is stored with the
/// company's change horizon in the snapshot that counted it (ChangeFeedDialect.Horizon: its newest change position) and
/// the company's size then, which tells how far the page would scan in id order (ContactQueries.ScansInIdOrder). The
/// count statement recounts only when the company has a change after that position, so writes by any application
/// invalidate an entry, other companies' writes and open transactions never do, and nothing in the write path changes.
/// Bounded: when full, it starts over (a miss only costs the count it would have cost anyway). An entry not validated
/// for <see cref="MaxAge"/> is dropped: the change feed purges tombstones after days (Sync:HistoryDays), and a deletion
/// whose tombstone were gone could no longer invalidate an entry that old.
/// </summary>
internal sealed class SearchTotals(int capacity)
{
    public const int DefaultCapacity = 10_000;
    public static readonly TimeSpan MaxAge = TimeSpan.FromHours(1);

    public readonly record struct Entry(long Since, long Total, long CompanySize);

    private readonly ConcurrentDictionary<(long Company, string Term), (Entry Entry, long At)> _entries = new();

    public Entry? Find(long company, string foldedTerm) =>
        _entries.TryGetValue((company, foldedTerm), out var found) && Environment.TickCount64 - found.At < (long)MaxAge.TotalMilliseconds
            ? found.Entry
            : null;

    /// <summary>After every cacheable count, a hit included: the hit proved the total still exact under the newer horizon.</summary>
    public void Set(long company, string foldedTerm, Entry entry)
    {
        if (_entries.Count >= capacity) _entries.Clear();
        _entries[(company, foldedTerm)] = (entry, Environment.TickCount64);
    }

    public int Count => _entries.Count;
}
