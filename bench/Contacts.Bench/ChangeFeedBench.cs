using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Contacts.Client;
using Contacts.Contracts;

namespace Contacts.Bench;

/// <summary>
/// The change feed's two scenarios (issue 12), against the running service through the product's own client.
/// Cursors: walks every small company's feed to its end and writes changes-idle.tsv, one poll per company with the
/// cursor it ended at (those polls answer empty pages: 1,000 idle sync clients on large). Walk: the big company's feed
/// from no cursor to its end, one page after the other (sequential by nature, so timed here, not by wrk), and then
/// `GET /api/v1/contacts` paged through the same company at the same limit, the walk the issue compares it with.
/// </summary>
internal static class ChangeFeedBench
{
    public const string ChangesPath = "/api/v1/contacts/changes";

    public static async Task<int> CursorsAsync(string url, string dataDir, string provider, string outDir, int limit)
    {
        var keys = Keys(dataDir, provider).Where(c => c.Role == "small").ToList();
        var cursors = new ConcurrentDictionary<int, string>();
        var clock = Stopwatch.StartNew();
        // A few at a time: this only prepares the scenario, and the service is otherwise idle.
        await Parallel.ForEachAsync(keys.Index(), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (company, ct) =>
        {
            using var client = ContactsClient.Create(new Uri(url), company.Item.Key);
            var walk = client.GetAllChangesAsync(limit: limit);
            var seen = 0;
            await foreach (var _ in walk.WithCancellation(ct)) seen++;
            if (seen != company.Item.Contacts)
                throw new InvalidOperationException($"company {company.Item.Id}: the feed sent {seen} changes for {company.Item.Contacts} contacts");
            cursors[company.Index] = walk.Cursor!;
        });
        var lines = keys.Index().Select(c => $"{c.Item.Key}\t{ChangesPath}?cursor={Uri.EscapeDataString(cursors[c.Index])}");
        Directory.CreateDirectory(outDir);
        await File.WriteAllLinesAsync(Path.Combine(outDir, "changes-idle.tsv"), lines);
        Console.Error.WriteLine($"changes: {keys.Count} small companies walked to their cursors in {clock.Elapsed.TotalSeconds:F1} s");
        return 0;
    }

    public static async Task<int> WalkAsync(string url, string dataDir, string provider, string outFile, int limit)
    {
        var big = Keys(dataDir, provider).First(c => c.Role == "big");
        using var client = ContactsClient.Create(new Uri(url), big.Key);

        // One warm-up page of each, so that neither walk pays the first request's JIT and connection.
        await client.GetChangesAsync(limit: limit);
        await client.GetContactsAsync(new ContactsQuery { Limit = limit });

        var clock = Stopwatch.StartNew();
        string? cursor = null;
        long changes = 0, pages = 0;
        bool more;
        do
        {
            var page = await client.GetChangesAsync(cursor, limit);
            pages++;
            changes += page.Data.Count;
            cursor = page.NextCursor;
            more = page.HasMore;
        } while (more);
        var feed = clock.Elapsed.TotalSeconds;
        if (changes != big.Contacts) throw new InvalidOperationException($"the big company's feed sent {changes} changes for {big.Contacts} contacts");

        clock.Restart();
        long listed = 0, listPages = 0;
        await foreach (var page in client.GetContactPagesAsync(new ContactsQuery { Limit = limit }))
        {
            listPages++;
            listed += page.Data.Count;
        }
        var list = clock.Elapsed.TotalSeconds;

        var result = new WalkResult(big.Contacts, limit, pages, changes, Math.Round(feed, 3), Math.Round(changes / feed),
            listPages, listed, Math.Round(list, 3), Math.Round(listed / list));
        await File.WriteAllTextAsync(outFile, JsonSerializer.Serialize(result, Manifest.Options));
        Console.Error.WriteLine($"changes-walk: {changes:N0} contacts in {pages:N0} pages, {feed:F1} s ({result.ContactsPerSecond:N0}/s); " +
                                $"list paging {listed:N0} in {listPages:N0} pages, {list:F1} s ({result.ListContactsPerSecond:N0}/s)");
        return 0;
    }

    internal sealed record CompanyKey(string Role, string Id, string Key, int Contacts);

    /// <summary>keys-PROVIDER.tsv as the loader wrote it: role, id, key, contacts, term, extra keys.</summary>
    internal static List<CompanyKey> Keys(string dataDir, string provider) =>
        [.. File.ReadAllLines(Path.Combine(dataDir, $"keys-{provider}.tsv")).Select(l => l.Split('\t'))
            .Select(c => new CompanyKey(c[0], c[1], c[2], int.Parse(c[3], CultureInfo.InvariantCulture)))];
}

/// <summary>The feed's first walk of the big company, and the list paged through it, one request after the other.</summary>
internal sealed record WalkResult(int Contacts, int Limit, long Pages, long Changes, double Seconds, double ContactsPerSecond,
    long ListPages, long ListContacts, double ListSeconds, double ListContactsPerSecond);
