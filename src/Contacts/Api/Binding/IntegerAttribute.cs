using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace Contacts.Api.Binding;

/// <summary>A decimal integer in [Minimum, Maximum], digits only (no sign, spaces or other scripts' digits).</summary>
internal class IntegerAttribute(string name, string description) : ParameterAttribute(name, description)
{
    public int Minimum { get; set; } = 1;

    public int Maximum { get; set; } = int.MaxValue;

    public int Default { get; set; } = 1;

    /// <summary>0: no example.</summary>
    public int Example { get; set; }

    public override Type ValueType => typeof(int);

    protected virtual (int Maximum, int Default, int Example) Bounds(ApiOptions options) => (Maximum, Default, Example);

    public override object Read(HttpContext http, ApiOptions options, ParameterErrors errors)
    {
        var (maximum, @default, _) = Bounds(options);
        if (Single(http, errors) is not { } text) return @default;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= Minimum && value <= maximum) return value;
        errors.Add(this, $"{Name} must be an integer between {Minimum} and {maximum}.");
        return @default;
    }

    protected override OpenApiSchema Schema(ApiOptions options)
    {
        var (maximum, @default, _) = Bounds(options);
        return new OpenApiSchema
        {
            Type = JsonSchemaType.Integer, Format = "int32", Minimum = Text(Minimum), Maximum = Text(maximum), Default = JsonValue.Create(@default),
        };
    }

    protected override IEnumerable<string> ExampleValues(ApiOptions options) =>
        Bounds(options).Example is var example and not 0 ? [Text(example)] : [];
}
