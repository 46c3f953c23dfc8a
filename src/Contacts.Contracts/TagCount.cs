using System.Text.Json.Serialization;

namespace Contacts.Contracts;

/// <summary>The wire's <c>_count</c> object of a tag.</summary>
/// <param name="ContactTag">How many of the company's contacts carry the tag.</param>
public sealed record TagCount([property: JsonPropertyName("contact_tag")] long ContactTag);
