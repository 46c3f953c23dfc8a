using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Contacts.Contracts;

// The wire contract, defined once: the service writes these records, the .NET client reads them, and `contacts export`
// writes ContactLine. Keys in this order, nulls written, ids as strings, timestamps UTC with exactly three fractional digits.

/// <summary>One page of results in the API's envelope.</summary>
/// <typeparam name="T">A <see cref="Contact"/> or a <see cref="Tag"/>.</typeparam>
/// <param name="Data">The records of this page, in id order; empty past the last page.</param>
/// <param name="CurrentPage">The page returned (1-based).</param>
/// <param name="TotalPages">How many pages there are for this query and limit; 0 when nothing matches.</param>
/// <param name="TotalRecords">How many records match the query across all pages.</param>
public sealed record Page<T>(
    [property: JsonPropertyName("data")] IReadOnlyList<T> Data,
    [property: JsonPropertyName("currentPage")] int CurrentPage,
    [property: JsonPropertyName("totalPages")] long TotalPages,
    [property: JsonPropertyName("totalRecords")] long TotalRecords);

/// <summary>A contact as <c>GET /api/v1/contacts</c> returns it.</summary>
/// <param name="Id">The contact id (a decimal integer sent as a string).</param>
/// <param name="FirstName">First name, or null.</param>
/// <param name="LastName">Last name, or null.</param>
/// <param name="Email">Email address, or null.</param>
/// <param name="PhoneNumber">Phone number as stored, or null.</param>
/// <param name="PhoneNumberLid">WhatsApp LID, or null.</param>
/// <param name="ProfilePicture">Absolute URL of the avatar, or null.</param>
/// <param name="CreatedAt">When the contact was created (UTC, millisecond precision).</param>
/// <param name="UpdatedAt">When the contact last changed (UTC, millisecond precision); what <c>updated_since</c> filters on.</param>
/// <param name="Tags">The contact's tags.</param>
public sealed record Contact(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("first_name")] string? FirstName,
    [property: JsonPropertyName("last_name")] string? LastName,
    [property: JsonPropertyName("email")] string? Email,
    [property: JsonPropertyName("phone_number")] string? PhoneNumber,
    [property: JsonPropertyName("phone_number_lid")] string? PhoneNumberLid,
    [property: JsonPropertyName("profile_picture")] string? ProfilePicture,
    [property: JsonPropertyName("created_at"), JsonConverter(typeof(UtcTimestampConverter))] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("updated_at"), JsonConverter(typeof(UtcTimestampConverter))] DateTimeOffset UpdatedAt,
    [property: JsonPropertyName("tags")] IReadOnlyList<ContactTag> Tags);

/// <summary>A tag as it appears inside a contact.</summary>
/// <param name="Id">The tag id (a string), usable in the <c>tag_id</c> filter.</param>
/// <param name="Name">The tag name.</param>
/// <param name="Color">A colour such as <c>#1156d6</c>, or null.</param>
public sealed record ContactTag(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("color")] string? Color);

/// <summary>A tag as <c>GET /api/v1/contacts/tags</c> returns it.</summary>
/// <param name="Id">The tag id (a string), usable in the <c>tag_id</c> filter.</param>
/// <param name="Name">The tag name.</param>
/// <param name="Color">A colour such as <c>#1156d6</c>, or null.</param>
/// <param name="CreatedAt">When the tag was created (UTC, millisecond precision).</param>
/// <param name="Count">The wire's <c>_count</c> object: how many contacts carry the tag.</param>
public sealed record Tag(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("color")] string? Color,
    [property: JsonPropertyName("created_at"), JsonConverter(typeof(UtcTimestampConverter))] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("_count")] TagCount Count);

/// <summary>The wire's <c>_count</c> object of a tag.</summary>
/// <param name="ContactTag">How many of the company's contacts carry the tag.</param>
public sealed record TagCount([property: JsonPropertyName("contact_tag")] long ContactTag);

/// <summary>An RFC 9457 problem+json error body as the API sends it.</summary>
/// <param name="Type">A URI naming the kind of problem.</param>
/// <param name="Title">A short summary, e.g. <c>Unauthorized</c>.</param>
/// <param name="Status">The HTTP status code.</param>
/// <param name="Detail">What went wrong in this request.</param>
/// <param name="TraceId">The server's trace id: quote it when reporting a problem.</param>
/// <param name="Errors">For a 400: the parameters that broke a rule, with their messages.</param>
public sealed record ProblemDetails(
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("title")] string? Title,
    [property: JsonPropertyName("status")] int? Status,
    [property: JsonPropertyName("detail")] string? Detail,
    [property: JsonPropertyName("traceId")] string? TraceId,
    [property: JsonPropertyName("errors")] IReadOnlyDictionary<string, string[]>? Errors)
{
    /// <summary>
    /// The title of the <c>404</c> of <c>GET /api/v1/contacts/{id}</c> when the company has no contact with that id; a
    /// 404 with another title means the URL reached no endpoint of the API.
    /// </summary>
    public const string ContactNotFoundTitle = "Contact not found";
}

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

/// <summary>One contact of a JSON Lines file, as <c>contacts export</c> writes it and <c>contacts import</c> reads it:
/// the API's contact with its tags by name and colour (tag ids belong to the server that issued them).</summary>
/// <param name="Id">The contact id, or null to let the importing server choose one.</param>
/// <param name="FirstName">First name, or null.</param>
/// <param name="LastName">Last name, or null.</param>
/// <param name="Email">Email address, or null.</param>
/// <param name="PhoneNumber">Phone number, or null.</param>
/// <param name="PhoneNumberLid">WhatsApp LID, or null.</param>
/// <param name="ProfilePicture">Absolute URL of the avatar, or null.</param>
/// <param name="CreatedAt">When the contact was created, or null (the import's time).</param>
/// <param name="UpdatedAt">When the contact last changed, or null.</param>
/// <param name="Tags">The contact's tags by name.</param>
public sealed record ContactLine(
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("first_name")] string? FirstName,
    [property: JsonPropertyName("last_name")] string? LastName,
    [property: JsonPropertyName("email")] string? Email,
    [property: JsonPropertyName("phone_number")] string? PhoneNumber,
    [property: JsonPropertyName("phone_number_lid")] string? PhoneNumberLid,
    [property: JsonPropertyName("profile_picture")] string? ProfilePicture,
    [property: JsonPropertyName("created_at"), JsonConverter(typeof(UtcTimestampConverter))] DateTimeOffset? CreatedAt,
    [property: JsonPropertyName("updated_at"), JsonConverter(typeof(UtcTimestampConverter))] DateTimeOffset? UpdatedAt,
    [property: JsonPropertyName("tags")] IReadOnlyList<ContactLineTag> Tags)
{
    /// <summary>The file line of a contact read from the API; tags ordered by name, so an export of the imported copy is identical.</summary>
    /// <param name="contact">A contact as the API returns it.</param>
    /// <returns>The line to write.</returns>
    public static ContactLine From(Contact contact) =>
        new(contact.Id, contact.FirstName, contact.LastName, contact.Email, contact.PhoneNumber, contact.PhoneNumberLid,
            contact.ProfilePicture, contact.CreatedAt, contact.UpdatedAt,
            [.. contact.Tags.OrderBy(t => t.Name, StringComparer.Ordinal).Select(t => new ContactLineTag(t.Name, t.Color))]);
}

/// <summary>A tag of a <see cref="ContactLine"/>: its name, and a colour or null ("keep the tag's colour").</summary>
/// <param name="Name">The tag name.</param>
/// <param name="Color">A colour such as <c>#1156d6</c>, or null.</param>
public sealed record ContactLineTag([property: JsonPropertyName("name")] string Name, [property: JsonPropertyName("color")] string? Color);

/// <summary>One item of the change feed (<c>GET /api/v1/contacts/changes</c>): <see cref="ContactUpsert"/> or <see cref="ContactDelete"/>,
/// told apart on the wire by <c>type</c>.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type", UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization)]
[JsonDerivedType(typeof(ContactUpsert), "upsert")]
[JsonDerivedType(typeof(ContactDelete), "delete")]
public abstract record ContactChange
{
    /// <summary>The id of the contact this change is about.</summary>
    [JsonIgnore]
    public abstract string ContactId { get; }
}

/// <summary><c>{"type":"upsert","contact":{...}}</c>: the contact as it is now; store it by id, replacing any copy.</summary>
/// <param name="Contact">The contact in exactly the shape of <c>GET /api/v1/contacts</c>, tags included.</param>
public sealed record ContactUpsert([property: JsonPropertyName("contact")] Contact Contact) : ContactChange
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string ContactId => Contact.Id;
}

/// <summary><c>{"type":"delete","id":"...","deleted_at":"..."}</c>: the contact is gone from the company (deleted, or moved
/// to another company); remove it by id. An id the client never had is harmless.</summary>
/// <param name="Id">The contact id.</param>
/// <param name="DeletedAt">When the database recorded the deletion (UTC, millisecond precision).</param>
public sealed record ContactDelete(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("deleted_at"), JsonConverter(typeof(UtcTimestampConverter))] DateTimeOffset DeletedAt) : ContactChange
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string ContactId => Id;
}

/// <summary>One page of the change feed.</summary>
/// <param name="Data">The changes, to apply in order.</param>
/// <param name="NextCursor">Opaque: store it once the page is applied and send it as <c>cursor</c> next time.</param>
/// <param name="HasMore">True when more changes are ready now: ask again at once. False: the client is up to date.</param>
public sealed record ChangesPage(
    [property: JsonPropertyName("data")] IReadOnlyList<ContactChange> Data,
    [property: JsonPropertyName("next_cursor")] string NextCursor,
    [property: JsonPropertyName("has_more")] bool HasMore);

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
