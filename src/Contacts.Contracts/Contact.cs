using System.Text.Json.Serialization;

namespace Contacts.Contracts;

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
