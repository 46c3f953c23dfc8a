using System.Text.Json.Serialization;

namespace Contacts.Contracts;

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
