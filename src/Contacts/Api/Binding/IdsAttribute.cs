using System.Globalization;
using Microsoft.OpenApi;

namespace Contacts.Api.Binding;

/// <summary>
/// Ids repeated as name=1&amp;name=2 (any of them), at most MaxItems. Typed as strings holding a positive int64, like
/// every id the API returns, so that a client passes an id back exactly as it received it.
/// </summary>
internal sealed class IdsAttribute(string name, string description) : ParameterAttribute(name, description)
{
    /// <summary>An id as the API writes it: digits, no sign, spaces or leading zeros, at most int64's maximum.</summary>
    public const string IdPattern = "^[1-9][0-9]{0,18}$";

    public int MaxItems { get; set; }

    /// <summary>What the ids name, for the error: "tags".</summary>
    public string Plural { get; set; } = "ids";

    public string[] Example { get; set; } = [];

    public override Type ValueType => typeof(IReadOnlyList<long>);

    public override object Read(HttpContext http, ApiOptions options, ParameterErrors errors)
    {
        if (!http.Request.Query.TryGetValue(Name, out var values)) return Array.Empty<long>();
        var ids = new List<long>(values.Count);
        foreach (var value in values)
        {
            if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0) ids.Add(id);
            else
            {
                errors.Add(this, $"{Name} must be a positive integer (repeat it for several {Plural}).");
                break;
            }
        }
        if (values.Count > MaxItems) errors.Add(this, $"{Name} may be given at most {MaxItems} times.");
        return ids.Distinct().ToList();
    }

    protected override OpenApiSchema Schema(ApiOptions options) => new()
    {
        Type = JsonSchemaType.Array, MaxItems = MaxItems,
        Items = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = IdPattern, Description = "A positive int64, as a string." },
    };

    protected override IEnumerable<string> ExampleValues(ApiOptions options) => Example;
}
