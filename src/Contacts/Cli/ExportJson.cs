using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Contacts.Contracts;

namespace Contacts.Cli;

internal sealed record ExportJson(long Exported, string? File,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Deleted = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? NextCursor = null);
