namespace Contacts.Client;

/// <summary>Parameters of <c>GET /api/v1/contacts/tags</c>; every one is optional (null means "the server's default").</summary>
public sealed record TagsQuery
{
    /// <summary>The page to fetch, 1-based (server default 1). The "all pages" calls start here.</summary>
    public int? Page { get; init; }

    /// <summary>Records per page, 1..the server's maximum (server default 10, maximum 100).</summary>
    public int? Limit { get; init; }

    /// <summary>A substring of the tag name; case- and accent-insensitive.</summary>
    public string? Search { get; init; }

    internal string ToQueryString(int? page, int? limit) =>
        new QueryBuilder().Add("page", page).Add("limit", limit).Add("search", Search).ToString();
}
