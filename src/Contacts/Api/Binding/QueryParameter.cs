using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace Contacts.Api.Binding;

/// <summary>
/// One query parameter of the contract: its name, rule, description and example. The same fields read the value from
/// the query string and describe it in the OpenAPI document, so the two cannot disagree.
/// </summary>
internal abstract record QueryParameter(string Name, string Description)
{
    // The example goes into the description, not the parameter's `example`: the /docs page's try-it sends every
    // example, so a person's first call would search and filter by made-up values and find nothing.
    public OpenApiParameter Describe() => new()
    {
        Name = Name,
        In = ParameterLocation.Query,
        Required = false,
        Description = $"{Description} Example: `{string.Join("&", ExampleValues().Select(value => $"{Name}={value}"))}`.",
        Schema = Schema(),
    };

    protected abstract OpenApiSchema Schema();

    protected abstract IEnumerable<string> ExampleValues();

    /// <summary>The value when the parameter is given once; null when absent or (an error) given twice.</summary>
    protected string? Single(IQueryCollection query, QueryErrors errors)
    {
        if (!query.TryGetValue(Name, out var values)) return null;
        if (values.Count == 1) return values[0] ?? "";
        errors.Add(Name, $"{Name} must be given at most once.");
        return null;
    }

    protected static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>A decimal integer in [Minimum, Maximum], digits only (no sign, spaces or other scripts' digits).</summary>
internal sealed record IntegerParameter(string Name, string Description, int Minimum, int Maximum, int Default, int ExampleValue)
    : QueryParameter(Name, Description)
{
    public int Read(IQueryCollection query, QueryErrors errors)
    {
        if (Single(query, errors) is not { } text) return Default;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= Minimum && value <= Maximum) return value;
        errors.Add(Name, $"{Name} must be an integer between {Minimum} and {Maximum}.");
        return Default;
    }

    protected override OpenApiSchema Schema() => new()
    {
        Type = JsonSchemaType.Integer, Format = "int32", Minimum = Text(Minimum), Maximum = Text(Maximum), Default = JsonValue.Create(Default),
    };

    protected override IEnumerable<string> ExampleValues() => [Text(ExampleValue)];
}

/// <summary>Free text, trimmed and NFC-normalised; blank means absent; at most MaxLength characters (Unicode scalars).</summary>
internal sealed record TextParameter(string Name, string Description, int MaxLength, string ExampleValue) : QueryParameter(Name, Description)
{
    public string? Read(IQueryCollection query, QueryErrors errors)
    {
        var term = Single(query, errors)?.Trim();
        if (string.IsNullOrEmpty(term)) return null;
        if (term.EnumerateRunes().Count() > MaxLength)
        {
            errors.Add(Name, $"{Name} must be at most {MaxLength} characters.");
            return null;
        }
        // Invalid UTF-8 may arrive decoded as U+FFFD, which would then match replacement characters stored by accident.
        if (term.Any(char.IsControl) || term.Contains('\uFFFD', StringComparison.Ordinal) || !IsWellFormed(term))
        {
            errors.Add(Name, $"{Name} must not contain control characters or invalid UTF-8.");
            return null;
        }
        return term.Normalize(NormalizationForm.FormC);
    }

    private static bool IsWellFormed(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])) i++;
            else if (char.IsSurrogate(value[i])) return false;
        }
        return true;
    }

    protected override OpenApiSchema Schema() => new() { Type = JsonSchemaType.String, MaxLength = MaxLength };

    protected override IEnumerable<string> ExampleValues() => [Uri.EscapeDataString(ExampleValue)];
}

/// <summary>
/// An ISO-8601 instant (Contacts.Data.Iso8601), read as "at or after": rounded up to the next whole millisecond,
/// the precision timestamps are stored with.
/// </summary>
internal sealed record InstantParameter(string Name, string Description) : QueryParameter(Name, Description)
{
    public DateTime? Read(IQueryCollection query, QueryErrors errors)
    {
        if (Single(query, errors) is not { } text) return null;
        if (Contacts.Data.Iso8601.TryParse(text, out var utc)) return CeilingToMillisecond(utc);
        errors.Add(Name, $"{Name} must be an ISO-8601 timestamp such as {Contacts.Data.Iso8601.Example}.");
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

    protected override OpenApiSchema Schema() => new() { Type = JsonSchemaType.String, Format = "date-time" };

    protected override IEnumerable<string> ExampleValues() => [Contacts.Data.Iso8601.Example];
}

/// <summary>
/// Ids repeated as name=1&amp;name=2 (any of them), at most MaxItems. Typed as strings holding a positive int64, like
/// every id the API returns, so that a client passes an id back exactly as it received it.
/// </summary>
internal sealed record IdsParameter(string Name, string Description, string Plural, int MaxItems, string[] ExampleValue)
    : QueryParameter(Name, Description)
{
    public const string IdPattern = "^[1-9][0-9]{0,18}$";

    public IReadOnlyList<long> Read(IQueryCollection query, QueryErrors errors)
    {
        if (!query.TryGetValue(Name, out var values)) return [];
        var ids = new List<long>(values.Count);
        foreach (var value in values)
        {
            if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0) ids.Add(id);
            else
            {
                errors.Add(Name, $"{Name} must be a positive integer (repeat it for several {Plural}).");
                break;
            }
        }
        if (values.Count > MaxItems) errors.Add(Name, $"{Name} may be given at most {MaxItems} times.");
        return ids.Distinct().ToList();
    }

    protected override OpenApiSchema Schema() => new()
    {
        Type = JsonSchemaType.Array, MaxItems = MaxItems,
        Items = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = IdPattern, Description = "A positive int64, as a string." },
    };

    protected override IEnumerable<string> ExampleValues() => ExampleValue;
}
