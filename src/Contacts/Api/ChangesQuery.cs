using Contacts.Api.Binding;

namespace Contacts.Api;

/// <summary>cursor and limit of the change feed, as their attributes read and describe them.</summary>
public sealed record ChangesQuery(
    [Cursor("cursor", "Opaque: the `next_cursor` of the previous answer, for the same API key's company. Leave it out to start from the beginning.")]
    ChangeCursor? Cursor,
    [Limit("Changes per answer", Default = 100)]
    int Limit)
    : BoundParameters<ChangesQuery>
{
    /// <summary>The cursor (re-encoded: a cursor of an earlier version reads the same) and limit as read: what an ETag depends on.</summary>
    public string Canonical => FormattableString.Invariant($"cursor={Cursor?.Encode()}&limit={Limit}");
}
