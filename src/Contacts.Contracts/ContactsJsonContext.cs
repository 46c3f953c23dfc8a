using System.Text.Json;
using System.Text.Json.Serialization;

namespace Contacts.Contracts;

// The wire contract, defined once: the service writes these records, the .NET client reads them, and `contacts export`
// writes ContactLine. Keys in this order, nulls written, ids as strings, timestamps UTC with exactly three fractional digits.

/// <summary>Source-generated (reflection-free, trimming-safe) serialization of the wire records.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(Page<Contact>))]
[JsonSerializable(typeof(Contact))]
[JsonSerializable(typeof(Tag))]
[JsonSerializable(typeof(Page<Tag>))]
[JsonSerializable(typeof(ProblemDetails))]
[JsonSerializable(typeof(ContactLine))]
[JsonSerializable(typeof(ChangesPage))]
[JsonSerializable(typeof(ContactChange))]
public sealed partial class ContactsJsonContext : JsonSerializerContext
{
    /// <summary>
    /// The options the service and export write with: names in every script go out as UTF-8 text, not \u escapes
    /// (quotes, backslashes and control characters are still escaped).
    /// </summary>
    public static ContactsJsonContext Wire { get; } = new(new JsonSerializerOptions
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
