using System.Globalization;
using Contacts.Api.Binding;

namespace Contacts.Api;

/// <summary>Filters for sync jobs on the contacts endpoint: updated_since (incremental sync) and tag_id (repeatable, any of).</summary>
public sealed record ContactFilters(
    [Instant("updated_since", "Only contacts updated at or after this ISO-8601 instant, for incremental sync " +
                              "(a timestamp without an offset is taken as UTC).")]
    DateTime? UpdatedSince,
    [Ids("tag_id", "Only contacts carrying any of these tags; repeat the parameter for several (at most 50). " +
                   "Tag ids are strings, as the API returns them.", MaxItems = 50, Plural = "tags", Example = ["42", "57"])]
    IReadOnlyList<long> TagIds)
    : BoundParameters<ContactFilters>
{
    /// <summary>The filters as read (an instant in UTC, the tag ids as a set): what an ETag depends on.</summary>
    public string Canonical => FormattableString.Invariant(
        $"updated_since={UpdatedSince?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture)}&tag_id={string.Join(',', TagIds.Distinct().Order())}");
}
