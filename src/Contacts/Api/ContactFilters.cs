using System.Globalization;
using Contacts.Data;

namespace Contacts.Api;

/// <summary>Filters for sync jobs on the contacts endpoint: updated_since (incremental sync) and tag_id (repeatable, any of).</summary>
public sealed record ContactFilters(DateTime? UpdatedSince, IReadOnlyList<long> TagIds)
{
    public const int MaxTagIds = 50;

    public static ContactFilters Parse(IQueryCollection query, Dictionary<string, string[]> errors)
    {
        DateTime? updatedSince = null;
        if (query.TryGetValue("updated_since", out var since))
        {
            if (since.Count > 1) errors["updated_since"] = ["updated_since must be given at most once."];
            else if (Iso8601.TryParse(since[0], out var parsed)) updatedSince = CeilingToMillisecond(parsed);
            else errors["updated_since"] = [$"updated_since must be an ISO-8601 timestamp such as {Iso8601.Example}."];
        }

        var tagIds = new List<long>();
        if (query.TryGetValue("tag_id", out var tags))
        {
            foreach (var value in tags)
            {
                if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0) tagIds.Add(id);
                else
                {
                    errors["tag_id"] = ["tag_id must be a positive integer (repeat it for several tags)."];
                    break;
                }
            }
            if (tags.Count > MaxTagIds) errors["tag_id"] = [$"tag_id may be given at most {MaxTagIds} times."];
        }
        return new ContactFilters(updatedSince, tagIds.Distinct().ToList());
    }

    // Stored timestamps have millisecond precision, so ">= the next whole millisecond" is exactly ">= the instant given".
    private static DateTime CeilingToMillisecond(DateTime utc)
    {
        var remainder = utc.Ticks % TimeSpan.TicksPerMillisecond;
        return remainder == 0 ? utc : utc.AddTicks(TimeSpan.TicksPerMillisecond - remainder);
    }
}
