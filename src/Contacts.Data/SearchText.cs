using System.Globalization;
using System.Text;

namespace Contacts.Data;

/// <summary>
/// The search folding rule, shared with the PostgreSQL function contacts_fold (Migrations/postgres):
/// lower-case, compatibility-decompose (NFKD), drop combining marks, map stroked Latin letters (ø ł đ ħ ŧ ı),
/// ß æ œ to ss ae oe, and Greek final sigma to sigma.
/// On SQLite the application stores the folded text; on PostgreSQL the database computes it.
/// </summary>
public static class SearchText
{
    public const char FieldSeparator = '\u001f';

    public static string Fold(string? value)
    {
        if (string.IsNullOrEmpty(value)) return string.Empty;
        var decomposed = value.ToLowerInvariant().Normalize(NormalizationForm.FormKD);
        var builder = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (IsFoldedMark(c)) continue;
            builder.Append(c);
        }
        // Lower-casing again after decomposition catches capitals whose lower case is a letter plus a mark (İ = I + U+0307).
        var lower = builder.ToString().ToLowerInvariant();
        builder.Clear();
        foreach (var c in lower)
        {
            switch (c)
            {
                case 'ø': builder.Append('o'); break;
                case 'ł': builder.Append('l'); break;
                case 'đ': builder.Append('d'); break;
                case 'ħ': builder.Append('h'); break;
                case 'ŧ': builder.Append('t'); break;
                case 'ı': builder.Append('i'); break;
                case 'ς': builder.Append('σ'); break;
                case 'ß': builder.Append("ss"); break;
                case 'æ': builder.Append("ae"); break;
                case 'œ': builder.Append("oe"); break;
                default: builder.Append(c); break;
            }
        }
        return builder.ToString();
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

    /// <summary>
    /// Escapes LIKE metacharacters so that %, _ and \ match themselves (used with ESCAPE '\'). The pattern is folded
    /// after escaping, so a character that folds into a metacharacter (full-width ％ ＿ ＼, small ﹪ …) is replaced by
    /// its escaped folded form here; otherwise folding would turn it into a wildcard.
    /// </summary>
    public static string EscapeLike(string value)
    {
        var builder = new StringBuilder(value.Length + 4);
        foreach (var rune in value.EnumerateRunes())
        {
            var text = rune.ToString();
            var folded = rune.Value < 128 ? text : Fold(text);
            builder.Append(folded.AsSpan().IndexOfAny(LikeMetacharacters) < 0 ? text : EscapeAscii(folded));
        }
        return builder.ToString();
    }

    private static readonly System.Buffers.SearchValues<char> LikeMetacharacters = System.Buffers.SearchValues.Create("%_\\");

    private static string EscapeAscii(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal)
             .Replace("%", "\\%", StringComparison.Ordinal)
             .Replace("_", "\\_", StringComparison.Ordinal);

    public static string ContainsPattern(string escaped) => "%" + escaped + "%";
}
