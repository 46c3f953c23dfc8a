using System.Globalization;
using System.Text.RegularExpressions;

namespace Contacts.Data;

/// <summary>The one timestamp syntax accepted on the way in (import files, updated_since): ISO-8601 date or date-time, UTC or with an offset.</summary>
public static partial class Iso8601
{
    public const string Example = "2025-09-15T08:30:00.000Z";

    public static bool TryParse(string? text, out DateTime utc)
    {
        utc = default;
        if (text is null || !Shape().IsMatch(text)) return false;
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)) return false;
        utc = parsed.UtcDateTime;
        return true;
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?)?(Z|[+-]\d{2}:?\d{2})?$")]
    private static partial Regex Shape();
}
