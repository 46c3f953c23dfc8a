using System.Globalization;
using System.Text.RegularExpressions;
using Contacts.Data.Import;

namespace Contacts.Import;

/// <summary>The import rules for one row; both readers go through here so CSV and JSON Lines agree.</summary>
public static partial class RecordValidator
{
    public const int MaxTagsPerContact = 100;

    public static ImportRecord? Validate(RawRecord raw, out string? error)
    {
        var problems = new List<string>();
        long? id = null;
        if (Clean(raw.Id, "id", 20, problems) is { } idText)
        {
            if (long.TryParse(idText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed > 0) id = parsed;
            else problems.Add($"id '{Shorten(idText)}' is not a positive 64-bit integer");
        }
        var first = Clean(raw.FirstName, "first_name", 200, problems);
        var last = Clean(raw.LastName, "last_name", 200, problems);
        var email = Clean(raw.Email, "email", 320, problems);
        if (email is not null && !EmailShape().IsMatch(email)) problems.Add($"email '{Shorten(email)}' is not an email address");
        var phone = Clean(raw.PhoneNumber, "phone_number", 50, problems);
        if (phone is not null && !PhoneShape().IsMatch(phone)) problems.Add($"phone_number '{Shorten(phone)}' must be digits with optional +, spaces, -, . and parentheses");
        var lid = Clean(raw.PhoneNumberLid, "phone_number_lid", 100, problems);
        if (lid is not null && lid.Any(char.IsWhiteSpace)) problems.Add("phone_number_lid must not contain spaces");
        var picture = Clean(raw.ProfilePicture, "profile_picture", 2048, problems);
        if (picture is not null && !(Uri.TryCreate(picture, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)))
            problems.Add("profile_picture must be an absolute http(s) URL");
        var createdAt = Timestamp(raw.CreatedAt, "created_at", problems);
        var updatedAt = Timestamp(raw.UpdatedAt, "updated_at", problems);

        var tags = new List<ImportTag>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, color) in raw.Tags)
        {
            var tagName = Clean(name, "tag name", 100, problems);
            if (tagName is null) continue;
            var tagColor = Clean(color, "tag color", 7, problems);
            if (tagColor is not null && !ColorShape().IsMatch(tagColor)) problems.Add($"tag color '{tagColor}' must look like #1156d6");
            if (seen.Add(Data.SearchText.Fold(tagName))) tags.Add(new ImportTag(tagName, tagColor?.ToLowerInvariant()));
        }
        if (tags.Count > MaxTagsPerContact) problems.Add($"at most {MaxTagsPerContact} tags per contact");
        if (id is null && phone is null && email is null && problems.Count == 0)
            problems.Add("needs an id, phone_number or email, so that importing the file again updates it instead of adding a copy");

        if (problems.Count > 0)
        {
            error = string.Join("; ", problems);
            return null;
        }
        error = null;
        return new ImportRecord(raw.Line, id, first, last, email, phone, lid, picture, createdAt, updatedAt, tags);
    }

    private static string? Clean(string? value, string field, int maxLength, List<string> problems)
    {
        if (value is null) return null;
        var trimmed = value.Trim();
        if (trimmed.Length == 0) return null;
        if (trimmed.Contains('\uFFFD', StringComparison.Ordinal)) problems.Add($"{field} is not valid UTF-8");
        else if (trimmed.Any(char.IsControl)) problems.Add($"{field} contains control characters");
        else if (trimmed.Length > maxLength) problems.Add($"{field} is longer than {maxLength} characters");
        return trimmed;
    }

    private static DateTime? Timestamp(string? value, string field, List<string> problems)
    {
        var text = Clean(value, field, 40, problems);
        if (text is null) return null;
        if (Data.Iso8601.TryParse(text, out var parsed)) return parsed;
        problems.Add($"{field} '{Shorten(text)}' is not an ISO-8601 timestamp such as {Data.Iso8601.Example}");
        return null;
    }

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+$")]
    private static partial Regex EmailShape();

    [GeneratedRegex(@"^\+?[0-9 ().\-]*[0-9][0-9 ().\-]*$")]
    private static partial Regex PhoneShape();

    [GeneratedRegex(@"^#[0-9a-fA-F]{6}$")]
    private static partial Regex ColorShape();
}
