using System.Collections.Concurrent;

namespace Contacts.Data.Contacts;

/// <summary>
/// Exact totals of short-term searches (one or two text elements, which match most of a company and cost a count over
/// all of it), each stored with the company's data version when it was counted. The page statement reads the current
/// version in the same snapshot and recounts only when it moved, so writes by any application invalidate an entry.
/// Bounded: when full, it starts over (a miss only costs the count it would have cost anyway).
/// </summary>
internal sealed class SearchTotals(int capacity)
{
    public const int DefaultCapacity = 10_000;

    private readonly ConcurrentDictionary<(long Company, string Term), (long Version, long Total)> _entries = new();

    public bool TryGet(long company, string term, out long version, out long total)
    {
        var found = _entries.TryGetValue((company, term), out var entry);
        (version, total) = entry;
        return found;
    }

    public void Set(long company, string term, long version, long total)
    {
        if (_entries.Count >= capacity) _entries.Clear();
        _entries[(company, term)] = (version, total);
    }

    public int Count => _entries.Count;
}
