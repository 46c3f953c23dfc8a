using System.Text.Json.Serialization;

namespace Contacts.Cli;

internal sealed record ExportJson(long Exported, string? File,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Deleted = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? NextCursor = null);
