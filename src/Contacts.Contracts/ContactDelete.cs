using System.Text.Json.Serialization;

namespace Contacts.Contracts;

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
