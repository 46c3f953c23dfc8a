using System.Globalization;
using Microsoft.OpenApi;

namespace Contacts.Api.Binding;

/// <summary>
/// One parameter of the contract, declared on a constructor parameter of a <see cref="BoundParameters{TSelf}"/> record:
/// its name, rule, description and example. The same declaration reads the value from the request and describes it in
/// the OpenAPI document, so the two cannot disagree.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter)]
internal abstract class ParameterAttribute(string name, string description) : Attribute
{
    public string Name => name;

    public string Description => description;

    /// <summary>The type of the value <see cref="Read"/> returns: the constructor parameter's.</summary>
    public abstract Type ValueType { get; }

    public virtual ParameterLocation Location => ParameterLocation.Query;

    /// <summary>The title of the 400 that names this parameter.</summary>
    public virtual string ProblemTitle => "Invalid query parameter";

    /// <summary>The value as the handler gets it; the default, and an error in <paramref name="errors"/>, when it breaks the rule.</summary>
    public abstract object? Read(HttpContext http, ApiOptions options, ParameterErrors errors);

    // The example goes into the description, not the parameter's `example`: the /docs page's try-it sends every
    // example, so a person's first call would search and filter by made-up values and find nothing.
    public OpenApiParameter Describe(ApiOptions options)
    {
        var examples = ExampleValues(options).ToList();
        var example = Location == ParameterLocation.Query ? string.Join("&", examples.Select(value => $"{Name}={value}")) : string.Join("", examples);
        return new OpenApiParameter
        {
            Name = Name,
            In = Location,
            Required = Location == ParameterLocation.Path,
            Description = examples.Count == 0 ? DescriptionFor(options) : $"{DescriptionFor(options)} Example: `{example}`.",
            Schema = Schema(options),
        };
    }

    protected virtual string DescriptionFor(ApiOptions options) => Description;

    protected abstract OpenApiSchema Schema(ApiOptions options);

    /// <summary>The example as the request carries it (escaped for a query string); none when it has no useful one.</summary>
    protected virtual IEnumerable<string> ExampleValues(ApiOptions options) => [];

    /// <summary>The value when the parameter is given once; null when absent or (an error) given twice.</summary>
    protected string? Single(HttpContext http, ParameterErrors errors)
    {
        if (!http.Request.Query.TryGetValue(Name, out var values)) return null;
        if (values.Count == 1) return values[0] ?? "";
        errors.Add(this, $"{Name} must be given at most once.");
        return null;
    }

    protected static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
