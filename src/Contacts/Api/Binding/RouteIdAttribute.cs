using System.Globalization;
using Microsoft.OpenApi;

namespace Contacts.Api.Binding;

/// <summary>
/// An id in the route, accepted only as the API writes ids (<see cref="IdsAttribute.IdPattern"/>): digits, no sign,
/// spaces, leading zeros or other scripts' digits, at most int64's maximum. Anything else is a 400, never a lookup.
/// </summary>
internal sealed class RouteIdAttribute(string name, string description) : ParameterAttribute(name, description)
{
    /// <summary>What the id names, for the error: "contact".</summary>
    public string Of { get; set; } = "";

    public string? Example { get; set; }

    public override Type ValueType => typeof(long);

    public override ParameterLocation Location => ParameterLocation.Path;

    public override string ProblemTitle => $"Invalid {Of} id";

    public override object Read(HttpContext http, ApiOptions options, ParameterErrors errors)
    {
        var text = http.GetRouteValue(Name) as string;
        // NumberStyles.None still takes leading zeros, which would make 007 another name of 7.
        if (text is { Length: > 0 } && text[0] != '0' && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id)) return id;
        errors.Add(this, $"{Name} must be a {Of} id as the API returns it: a positive integer of at most 19 digits, " +
                         "without sign, spaces or leading zeros.");
        return 0L;
    }

    protected override OpenApiSchema Schema(ApiOptions options) => new() { Type = JsonSchemaType.String, Pattern = IdsAttribute.IdPattern };

    protected override IEnumerable<string> ExampleValues(ApiOptions options) => Example is null ? [] : [Example];
}
