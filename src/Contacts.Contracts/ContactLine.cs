using System.Text.Json.Serialization;

namespace Contacts.Contracts;

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
