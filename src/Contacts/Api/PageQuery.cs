using System.Globalization;
using System.Text;
using Contacts.Data;
using Microsoft.Extensions.Primitives;

namespace Contacts.Api;

/// <summary>page, limit and search, validated by the rules of the contract; unknown parameters are ignored.</summary>
public sealed record PageQuery(int Page, int Limit, string? Search)
{
    public const int MaxSearchLength = 200;
    public const int DefaultLimit = 10;

    public long Offset => (long)(Page - 1) * Limit;

    public PageWindow Window => new(Limit, Offset);

    public long TotalPages(long totalRecords) => (totalRecords + Limit - 1) / Limit;

    public static PageQuery Parse(IQueryCollection query, int maxLimit, out Dictionary<string, string[]> errors)
    {
        errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var page = ParseInteger(query, "page", 1, 1, int.MaxValue, errors);
        var limit = ParseInteger(query, "limit", Math.Min(DefaultLimit, maxLimit), 1, maxLimit, errors);
        var search = ParseSearch(query, errors);
        return new PageQuery(page, limit, search);
    }

    private static int ParseInteger(IQueryCollection query, string name, int fallback, int min, int max, Dictionary<string, string[]> errors)
    {
        if (!query.TryGetValue(name, out var values)) return fallback;
        if (values.Count > 1)
        {
            errors[name] = [$"{name} must be given at most once."];
            return fallback;
        }
        if (!int.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            errors[name] = [$"{name} must be an integer between {min} and {max}."];
            return fallback;
        }
        return value;
    }

    private static string? ParseSearch(IQueryCollection query, Dictionary<string, string[]> errors)
    {
        if (!query.TryGetValue("search", out StringValues values)) return null;
        if (values.Count > 1)
        {
            errors["search"] = ["search must be given at most once."];
            return null;
        }
        var term = (values[0] ?? "").Trim();
        if (term.Length == 0) return null;
        if (term.EnumerateRunes().Count() > MaxSearchLength)
        {
            errors["search"] = [$"search must be at most {MaxSearchLength} characters."];
            return null;
        }
        if (term.Any(char.IsControl) || term.Contains('\uFFFD', StringComparison.Ordinal) || !IsWellFormed(term))
        {
            errors["search"] = ["search must not contain control characters or invalid UTF-8."];
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
}
