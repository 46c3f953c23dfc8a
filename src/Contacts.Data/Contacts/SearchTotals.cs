using System.Collections.Concurrent;

namespace Contacts.Data.Contacts;

/// <summary>
/// Exact totals of searches per (company, folded term): a short term (one or two text elements) matches most of a
/// company and costs a count over all of it, a longer one a trigram lookup of every match. Each is stored with the
/// company's change horizon in the snapshot that counted it (SqlDialect.ChangeHorizon: its newest change position) and
/// the company's size then, which tells how far the page would scan in id order (ContactQueries.ScansInIdOrder). The
/// count statement recounts only when the company has a change after that position, so writes by any application
/// invalidate an entry, other companies' writes and open transactions never do, and nothing in the write path changes.
/// Bounded: when full, it starts over (a miss only costs the count it would have cost anyway). An entry not validated
/// for <see cref="MaxAge"/> is dropped: the change feed purges tombstones after days (Sync:HistoryDays), and a deletion
/// whose tombstone were gone could no longer invalidate an entry that old (in the clock's monotonic time).
/// </summary>
internal sealed class SearchTotals(int capacity, TimeProvider clock)
{
    public const int DefaultCapacity = 10_000;
    public static readonly TimeSpan MaxAge = TimeSpan.FromHours(1);

    public readonly record struct Entry(long Since, long Total, long CompanySize);

    /// <summary>At: the clock's timestamp when the entry was last validated.</summary>
    private readonly ConcurrentDictionary<(long Company, string Term), (Entry Entry, long At)> _entries = new();

    public Entry? Find(long company, string foldedTerm) =>
        _entries.TryGetValue((company, foldedTerm), out var found) && clock.GetElapsedTime(found.At) < MaxAge
            ? found.Entry
            : null;

    /// <summary>After every cacheable count, a hit included: the hit proved the total still exact under the newer horizon.</summary>
    public void Set(long company, string foldedTerm, Entry entry)
    {
        if (_entries.Count >= capacity) _entries.Clear();
        _entries[(company, foldedTerm)] = (entry, clock.GetTimestamp());
    }

    public int Count => _entries.Count;

    private readonly ConcurrentDictionary<(long Company, string Term), Task<Entry>> _counts = new();
    private long _counted;

    /// <summary>Totals counted over a company's contacts for this cache so far (the single-flight test reads it).</summary>
    public long Counted => Interlocked.Read(ref _counted);

    internal void CountingOne() => Interlocked.Increment(ref _counted);

    private long _repaired;

    /// <summary>Stale totals repaired from the changes since they were counted, instead of counted (the repair tests read it).</summary>
    public long Repaired => Interlocked.Read(ref _repaired);

    internal void RepairingOne() => Interlocked.Increment(ref _repaired);

    /// <summary>
    /// Counts a stale or missing total once for every request that needs it at the same time (single flight): the first
    /// runs <paramref name="count"/>, the others wait for its result. A request whose own snapshot saw another horizon
    /// than the count's cannot use it (the total would not be its snapshot's), nor one whose leader failed: it counts on its own.
    /// </summary>
    public async Task<Entry> CountOnceAsync(long company, string foldedTerm, long horizon, Func<CancellationToken, Task<Entry>> count,
        CancellationToken ct)
    {
        if (Find(company, foldedTerm) is { } counted && counted.Since == horizon) return counted; // a flight just ended
        var key = (company, foldedTerm);
        var mine = new TaskCompletionSource<Entry>(TaskCreationOptions.RunContinuationsAsynchronously);
        var flight = _counts.GetOrAdd(key, mine.Task);
        if (flight != mine.Task)
        {
            try
            {
                var shared = await flight.WaitAsync(ct);
                if (shared.Since == horizon) return shared;
            }
            catch (Exception) when (!ct.IsCancellationRequested)
            {
                // the leader's request failed or was cancelled: this one counts for itself
            }
            return await count(ct);
        }
        try
        {
            var entry = await count(ct);
            Set(company, foldedTerm, entry);
            mine.SetResult(entry);
            return entry;
        }
        catch (Exception e)
        {
            mine.SetException(e);
            _ = mine.Task.Exception; // observed: followers count for themselves
            throw;
        }
        finally
        {
            _counts.TryRemove(KeyValuePair.Create(key, mine.Task));
        }
    }
}
