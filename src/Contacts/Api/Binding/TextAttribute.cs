using System.Text;
using Microsoft.OpenApi;

namespace Contacts.Api.Binding;

/// <summary>Free text, trimmed and NFC-normalised; blank means absent; at most MaxLength characters (Unicode scalars).</summary>
internal sealed class TextAttribute(string name, string description) : ParameterAttribute(name, description)
{
    public int MaxLength { get; set; }

    public string? Example { get; set; }

    public override Type ValueType => typeof(string);

    public override object? Read(HttpContext http, ApiOptions options, ParameterErrors errors)
    {
        var term = Single(http, errors)?.Trim();
        if (string.IsNullOrEmpty(term)) return null;
        if (term.EnumerateRunes().Count() > MaxLength)
        {
            errors.Add(this, $"{Name} must be at most {MaxLength} characters.");
            return null;
        }
        // Invalid UTF-8 may arrive decoded as U+FFFD, which would then match replacement characters stored by accident.
        if (term.Any(char.IsControl) || term.Contains('\uFFFD', StringComparison.Ordinal) || !IsWellFormed(term))
        {
            errors.Add(this, $"{Name} must not contain control characters or invalid UTF-8.");
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

    protected override OpenApiSchema Schema(ApiOptions options) => new() { Type = JsonSchemaType.String, MaxLength = MaxLength };

    protected override IEnumerable<string> ExampleValues(ApiOptions options) => Example is null ? [] : [Uri.EscapeDataString(Example)];
}
