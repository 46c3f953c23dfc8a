using System.Text.Json.Serialization;

namespace Contacts.Contracts;

/// <summary>A tag as it appears inside a contact.</summary>
/// <param name="Id">The tag id (a string), usable in the <c>tag_id</c> filter.</param>
/// <param name="Name">The tag name.</param>
/// <param name="Color">A colour such as <c>#1156d6</c>, or null.</param>
public sealed record ContactTag(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("color")] string? Color);
