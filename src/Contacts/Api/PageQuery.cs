using Contacts.Api.Binding;
using Contacts.Data;

namespace Contacts.Api;

/// <summary>page, limit and search of both lists, as their attributes read and describe them.</summary>
public sealed record PageQuery(
    [Integer("page", "Page number, 1-based. A page past the end answers with an empty `data`.", Default = 1, Example = 2)]
    int Page,
    [Limit("Results per page", Default = 10, Example = 25)]
    int Limit,
    [Text("search", "Case-, accent- and width-insensitive substring search; blank means no search.", MaxLength = 200, Example = "jane")]
    string? Search)
    : BoundParameters<PageQuery>
{
    public long Offset => (long)(Page - 1) * Limit;

    public PageWindow Window => new(Limit, Offset);

    /// <summary>The parameters as read (defaults applied, search trimmed): what an ETag depends on.</summary>
    public string Canonical => FormattableString.Invariant($"page={Page}&limit={Limit}&search={Uri.EscapeDataString(Search ?? "")}");

    public long TotalPages(long totalRecords) => (totalRecords + Limit - 1) / Limit;
}
