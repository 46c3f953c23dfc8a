using System.Text.Json.Serialization;

namespace Contacts.Contracts;

/// <summary><c>{"type":"upsert","contact":{...}}</c>: the contact as it is now; store it by id, replacing any copy.</summary>
/// <param name="Contact">The contact in exactly the shape of <c>GET /api/v1/contacts</c>, tags included.</param>
public sealed record ContactUpsert([property: JsonPropertyName("contact")] Contact Contact) : ContactChange
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string ContactId => Contact.Id;
}
