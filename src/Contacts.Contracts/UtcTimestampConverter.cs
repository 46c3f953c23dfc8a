using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Contacts.Contracts;

/// <summary>
/// Reads any ISO-8601 timestamp and writes the API's own form, UTC with three fractional digits
/// (<c>2025-09-15T08:30:00.000Z</c>), so a record serialized again looks exactly like the wire.
/// </summary>
public sealed class UtcTimestampConverter : JsonConverter<DateTimeOffset>
{
    /// <summary>The wire's timestamp format.</summary>
    public const string Format = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    /// <summary>Formats an instant as the API does (sub-millisecond digits are dropped).</summary>
    /// <param name="value">Any instant; its offset does not matter.</param>
    /// <returns>E.g. <c>2025-09-15T08:30:00.000Z</c>.</returns>
    public static string ToWire(DateTimeOffset value) => value.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);

    /// <summary>Formats a UTC instant as the API does (a <see cref="DateTimeKind.Unspecified"/> value is taken as UTC).</summary>
    /// <param name="utc">An instant in UTC.</param>
    /// <returns>E.g. <c>2025-09-15T08:30:00.000Z</c>.</returns>
    public static string ToWire(DateTime utc) => DateTime.SpecifyKind(utc, DateTimeKind.Utc).ToString(Format, CultureInfo.InvariantCulture);

    /// <summary>Drops the sub-millisecond part: the precision the API stores and sends.</summary>
    /// <param name="utc">An instant; a local time is converted to UTC first.</param>
    /// <returns>The same instant, UTC, truncated to the millisecond.</returns>
    public static DateTime TruncateToMillisecond(DateTime utc)
    {
        var value = utc.Kind == DateTimeKind.Local ? utc.ToUniversalTime() : DateTime.SpecifyKind(utc, DateTimeKind.Utc);
        return new DateTime(value.Ticks - value.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
    }

    /// <inheritdoc />
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DateTimeOffset.Parse(reader.GetString() ?? throw new JsonException("A timestamp must be a string."),
            CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(ToWire(value));
}
