using System.Text.Json.Serialization;

namespace Contacts.Contracts;

/// <summary>A tag of a <see cref="ContactLine"/>: its name, and a colour or null ("keep the tag's colour").</summary>
/// <param name="Name">The tag name.</param>
/// <param name="Color">A colour such as <c>#1156d6</c>, or null.</param>
public sealed record ContactLineTag([property: JsonPropertyName("name")] string Name, [property: JsonPropertyName("color")] string? Color);
