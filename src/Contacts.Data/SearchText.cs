using System.Globalization;
using System.Text;

namespace Contacts.Data;

/// <summary>
/// The search folding rule, shared with the PostgreSQL function contacts_fold (Migrations/postgres):
/// lower-case, decompose (NFD), drop combining diacritical marks, fold Greek final sigma.
/// On SQLite the application stores the folded text; on PostgreSQL the database computes it.
/// </summary>
public static class SearchText
{
    public const char FieldSeparator = '\u001f';

    public static string Fold(string? value)
    {
        if (string.IsNullOrEmpty(value)) return string.Empty;
        // Lower-casing again after decomposition catches letters whose capital has no lower-case of its own (İ = I + U+0307).
        var decomposed = value.ToLowerInvariant().Normalize(NormalizationForm.FormD);
        var builder = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (IsFoldedMark(c)) continue;
            builder.Append(c);
        }
        return builder.ToString().ToLowerInvariant().Replace('ς', 'σ');
    }

    private static bool IsFoldedMark(char c) =>
        c is >= '\u0300' and <= '\u036f'
          or >= '\u1ab0' and <= '\u1aff'
          or >= '\u1dc0' and <= '\u1dff'
          or >= '\u20d0' and <= '\u20ff'
          or >= '\ufe20' and <= '\ufe2f';

    public static string Digits(string? value)
    {
        if (string.IsNullOrEmpty(value)) return string.Empty;
        var builder = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (c is >= '0' and <= '9') builder.Append(c);
        }
        return builder.ToString();
    }

    /// <summary>The stored search_text of a contact (what the PostgreSQL generated column computes).</summary>
    public static string ForContact(string? firstName, string? lastName, string? email, string? phone, string? lid) =>
        Fold($"{firstName} {lastName}{FieldSeparator}{email}{FieldSeparator}{phone}{FieldSeparator}{lid}");

    public static string PhoneDigitsForContact(string? phone, string? lid) => $"{Digits(phone)}{FieldSeparator}{Digits(lid)}";

    /// <summary>A term of digits and phone punctuation (+, space, -, ., parentheses) with at least one digit.</summary>
    public static bool IsPhoneLike(string term)
    {
        var hasDigit = false;
        foreach (var c in term)
        {
            if (c is >= '0' and <= '9') hasDigit = true;
            else if (c is not ('+' or ' ' or '-' or '.' or '(' or ')')) return false;
        }
        return hasDigit;
    }

    /// <summary>Escapes LIKE metacharacters so that %, _ and \ match themselves (used with ESCAPE '\').</summary>
    public static string EscapeLike(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal)
             .Replace("%", "\\%", StringComparison.Ordinal)
             .Replace("_", "\\_", StringComparison.Ordinal);

    public static string ContainsPattern(string escaped) => "%" + escaped + "%";
}
