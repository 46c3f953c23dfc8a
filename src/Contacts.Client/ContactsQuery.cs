using Contacts.Contracts;

namespace Contacts.Client;

/// <summary>Parameters of <c>GET /api/v1/contacts</c>; every one is optional (null means "the server's default").</summary>
public sealed record ContactsQuery
{
    /// <summary>The page to fetch, 1-based (server default 1). The "all pages" calls start here.</summary>
    public int? Page { get; init; }

    /// <summary>Records per page, 1..the server's maximum (server default 10, maximum 100).</summary>
    public int? Limit { get; init; }

    /// <summary>A substring of a name, email, phone number, LID or tag name; case- and accent-insensitive.</summary>
    public string? Search { get; init; }

    /// <summary>
    /// Only contacts updated at or after this instant (incremental sync). Sent as UTC ISO-8601 with milliseconds;
    /// digits below a millisecond are dropped, which can only include more contacts, never fewer.
    /// </summary>
    public DateTimeOffset? UpdatedSince { get; init; }

    /// <summary>Only contacts carrying any of these tags (tag ids as the API returns them; at most 50).</summary>
    public IReadOnlyList<string>? TagIds { get; init; }

    internal string ToQueryString(int? page, int? limit)
    {
        var query = new QueryBuilder().Add("page", page).Add("limit", limit).Add("search", Search);
        if (UpdatedSince is { } since) query.Add("updated_since", UtcTimestampConverter.ToWire(since));
        foreach (var tagId in TagIds ?? []) query.Add("tag_id", tagId);
        return query.ToString();
    }
}
