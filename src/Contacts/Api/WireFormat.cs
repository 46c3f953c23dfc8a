using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Contacts.Api;

// The wire contract of docs/../shared/seed: keys in this order, nulls written, ids as strings,
// timestamps as UTC with exactly three fractional digits.
public sealed record Page<T>(
    [property: JsonPropertyName("data")] IReadOnlyList<T> Data,
    [property: JsonPropertyName("currentPage")] int CurrentPage,
    [property: JsonPropertyName("totalPages")] long TotalPages,
    [property: JsonPropertyName("totalRecords")] long TotalRecords);

public sealed record ContactResponse(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("first_name")] string? FirstName,
    [property: JsonPropertyName("last_name")] string? LastName,
    [property: JsonPropertyName("email")] string? Email,
    [property: JsonPropertyName("phone_number")] string? PhoneNumber,
    [property: JsonPropertyName("phone_number_lid")] string? PhoneNumberLid,
    [property: JsonPropertyName("profile_picture")] string? ProfilePicture,
    [property: JsonPropertyName("created_at"), JsonConverter(typeof(UtcMillisecondsConverter))] DateTime CreatedAt,
    [property: JsonPropertyName("updated_at"), JsonConverter(typeof(UtcMillisecondsConverter))] DateTime UpdatedAt,
    [property: JsonPropertyName("tags")] IReadOnlyList<ContactTagResponse> Tags);

public sealed record ContactTagResponse(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("color")] string? Color);

public sealed record TagResponse(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("color")] string? Color,
    [property: JsonPropertyName("created_at"), JsonConverter(typeof(UtcMillisecondsConverter))] DateTime CreatedAt,
    [property: JsonPropertyName("_count")] TagCount Count);

public sealed record TagCount([property: JsonPropertyName("contact_tag")] long ContactTag);

public sealed class UtcMillisecondsConverter : JsonConverter<DateTime>
{
    private const string Format = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DateTime.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options) =>
        writer.WriteStringValue(DateTime.SpecifyKind(value.ToUniversalTime(), DateTimeKind.Utc).ToString(Format, CultureInfo.InvariantCulture));
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(Page<ContactResponse>))]
[JsonSerializable(typeof(Page<TagResponse>))]
internal sealed partial class WireJsonContext : JsonSerializerContext
{
    /// <summary>Names in every script go out as UTF-8 text, not \u escapes; quotes, backslashes and control characters are still escaped.</summary>
    public static WireJsonContext Wire { get; } = new(new JsonSerializerOptions
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
