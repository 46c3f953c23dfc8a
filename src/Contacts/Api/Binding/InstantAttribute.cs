using Contacts.Data;
using Microsoft.OpenApi;

namespace Contacts.Api.Binding;

/// <summary>
/// An ISO-8601 instant (<see cref="Iso8601"/>), read as "at or after": rounded up to the next whole millisecond, the
/// precision timestamps are stored with.
/// </summary>
internal sealed class InstantAttribute(string name, string description) : ParameterAttribute(name, description)
{
    public override Type ValueType => typeof(DateTime?);

    public override object? Read(HttpContext http, ApiOptions options, ParameterErrors errors)
    {
        if (Single(http, errors) is not { } text) return null;
        if (Iso8601.TryParse(text, out var utc)) return CeilingToMillisecond(utc);
        errors.Add(this, $"{Name} must be an ISO-8601 timestamp such as {Iso8601.Example}.");
        return null;
    }

    // ">= the next whole millisecond" is exactly ">= the instant given". In DateTime's last millisecond there is no next
    // one: DateTime.MaxValue then stands for "after every stored timestamp" (PostgreSQL receives it as infinity).
    private static DateTime CeilingToMillisecond(DateTime utc)
    {
        var remainder = utc.Ticks % TimeSpan.TicksPerMillisecond;
        if (remainder == 0) return utc;
        var up = TimeSpan.TicksPerMillisecond - remainder;
        return utc.Ticks > DateTime.MaxValue.Ticks - up ? DateTime.SpecifyKind(DateTime.MaxValue, DateTimeKind.Utc) : utc.AddTicks(up);
    }

    protected override OpenApiSchema Schema(ApiOptions options) => new() { Type = JsonSchemaType.String, Format = "date-time" };

    protected override IEnumerable<string> ExampleValues(ApiOptions options) => [Iso8601.Example];
}
