using System.Text.Json.Serialization;

namespace Contacts.Operations;

[JsonSerializable(typeof(HealthResponse))]
internal sealed partial class HealthJsonContext : JsonSerializerContext;
