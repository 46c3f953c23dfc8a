using System.Text.Json.Serialization;

namespace Contacts.Contracts;

/// <summary>One page of the change feed.</summary>
/// <param name="Data">The changes, to apply in order.</param>
/// <param name="NextCursor">Opaque: store it once the page is applied and send it as <c>cursor</c> next time.</param>
/// <param name="HasMore">True when more changes are ready now: ask again at once. False: the client is up to date.</param>
public sealed record ChangesPage(
    [property: JsonPropertyName("data")] IReadOnlyList<ContactChange> Data,
    [property: JsonPropertyName("next_cursor")] string NextCursor,
    [property: JsonPropertyName("has_more")] bool HasMore);
