using Contacts.Contracts;

namespace Contacts.Client;

/// <summary>
/// The change feed from a cursor until up to date (<see cref="ContactsClient.GetAllChangesAsync"/>). Enumerate it once;
/// then store <see cref="Cursor"/>. If the enumeration stops early, <see cref="Cursor"/> is the end of the last page
/// consumed in full, so the next run may see some changes again (upserts and deletes by id make that harmless).
/// </summary>
public sealed class ContactChangeWalk : IAsyncEnumerable<ContactChange>
{
    private readonly ContactsClient _client;
    private readonly int _limit;

    internal ContactChangeWalk(ContactsClient client, string? cursor, int limit)
    {
        _client = client;
        Cursor = cursor;
        _limit = limit;
    }

    /// <summary>Where the applied changes end: null until the first page has been consumed when the walk began without a cursor.</summary>
    public string? Cursor { get; private set; }

    /// <summary>How many pages have been requested so far.</summary>
    public int Pages { get; private set; }

    /// <inheritdoc />
    public async IAsyncEnumerator<ContactChange> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var page = await _client.GetChangesAsync(Cursor, _limit, cancellationToken).ConfigureAwait(false);
            Pages++;
            foreach (var change in page.Data) yield return change;
            Cursor = page.NextCursor;
            if (!page.HasMore) yield break;
        }
    }
}
