using System.Text.Json.Serialization;

namespace Contacts.Cli;

/// <summary>The --json output of every command (the records sit beside their commands), snake_case like the API.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(MigrateJson))]
[JsonSerializable(typeof(CompanyJson))]
[JsonSerializable(typeof(HistoryJson))]
[JsonSerializable(typeof(CompanyListItemJson[]))]
[JsonSerializable(typeof(CreatedKeyJson))]
[JsonSerializable(typeof(KeyListItemJson[]))]
[JsonSerializable(typeof(RevokedKeyJson))]
[JsonSerializable(typeof(ExportJson))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
