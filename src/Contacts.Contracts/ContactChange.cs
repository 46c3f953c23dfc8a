using System.Text.Json.Serialization;

namespace Contacts.Contracts;

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
