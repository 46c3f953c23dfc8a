using System.Text.Json.Serialization;

namespace Contacts.Operations;

internal sealed record HealthCheckResponse(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("durationMs")] double DurationMs,
    [property: JsonPropertyName("description")] string? Description,
    // With standbys: each node's state ("primary": "up", "replica-1": "lagging (12.3 s)").
    [property: JsonPropertyName("nodes"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, string>? Nodes);
