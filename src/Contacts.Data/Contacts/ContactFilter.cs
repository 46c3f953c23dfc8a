namespace Contacts.Data.Contacts;

/// <summary>What narrows a contacts list: a search term, updated_since (incremental sync), tag ids (any of).</summary>
public sealed record ContactFilter(string? Search, DateTime? UpdatedSince, IReadOnlyList<long> TagIds)
{
    public static readonly ContactFilter None = new(null, null, []);

    internal bool IsEmpty => Search is null && UpdatedSince is null && TagIds.Count == 0;
}
