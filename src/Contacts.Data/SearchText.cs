using System.Text;

namespace Contacts.Data;

/// <summary>
/// The search folding rule, shared with the PostgreSQL function contacts_fold (Migrations/postgres, 0006) and written
/// out in docs/search.md: lower-case, compatibility-decompose (NFKD), drop the non-spacing marks of <see cref="RemovedRanges"/>
/// and tatweel, read ە + hamza above (ۀ) as heh, lower-case again, then map stroked Latin letters (ø ł đ ħ ŧ ı), ß æ œ
/// to ss ae oe, Greek final sigma and the Hebrew final letters to their other forms, and the Arabic and Persian letters that Lucene's Arabic and Persian
/// normalisers merge (ى ی ے → ي, ة ۀ ہ → ه, ک → ك; the hamza and madda of أ إ آ are marks, gone with the others).
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
        foreach (var rune in decomposed.EnumerateRunes())
        {
            if (IsRemoved(rune.Value))
            {
                // NFKD spells ۀ (heh with yeh above) as ە + hamza above; Persian search reads it as heh.
                if (rune.Value == 0x0654 && builder.Length > 0 && builder[^1] == '\u06d5') builder[^1] = '\u0647';
                continue;
            }
            if (rune.IsBmp) builder.Append((char)rune.Value);
            else builder.Append(rune.ToString());
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
                case '\u0649' or '\u06cc' or '\u06d2': builder.Append('\u064a'); break; // alef maksura, Farsi yeh, yeh barree → yeh
                case '\u0629' or '\u06c1': builder.Append('\u0647'); break; // teh marbuta, heh goal → heh
                case '\u06a9': builder.Append('\u0643'); break; // keheh → kaf
                case '\u05da': builder.Append('\u05db'); break; // Hebrew final letters, like final sigma: a term ending in
                case '\u05dd': builder.Append('\u05de'); break; // one must find the longer names it begins
                case '\u05df': builder.Append('\u05e0'); break;
                case '\u05e3': builder.Append('\u05e4'); break;
                case '\u05e5': builder.Append('\u05e6'); break;
                default: builder.Append(c); break;
            }
        }
        return builder.ToString();
    }

    /// <summary>Whether folding drops the code point (after NFKD): see <see cref="RemovedRanges"/>.</summary>
    public static bool IsRemoved(int codePoint)
    {
        if (codePoint < 0x0300) return false;
        var ranges = RemovedRanges;
        int low = 0, high = ranges.Length / 2 - 1;
        while (low <= high)
        {
            var middle = (low + high) / 2;
            if (codePoint < ranges[2 * middle]) high = middle - 1;
            else if (codePoint > ranges[2 * middle + 1]) low = middle + 1;
            else return true;
        }
        return false;
    }

    /// <summary>
    /// Inclusive ranges of the code points folding drops: every non-spacing mark (category Mn in .NET 10's tables)
    /// except the vowel signs and viramas of the Brahmic scripts and Thaana (which ICU's root collation orders as
    /// letters: removing them would make कुमार and कमार, กิน and กัน equal), plus tatweel U+0640 and the combining
    /// blocks the first folding rule removed (U+0300–036F, 1AB0–1AFF, 1DC0–1DFF, 20D0–20FF, FE20–FE2F). Generated;
    /// SearchFoldingTests recomputes it from .NET's and ICU's tables (and prints it anew); contacts_fold embeds it.
    /// </summary>
    public static ReadOnlySpan<int> RemovedRanges =>
    [
        0x0300, 0x036F, 0x0483, 0x0487, 0x0591, 0x05BD, 0x05BF, 0x05BF, 0x05C1, 0x05C2, 0x05C4, 0x05C5,
        0x05C7, 0x05C7, 0x0610, 0x061A, 0x0640, 0x0640, 0x064B, 0x065F, 0x0670, 0x0670, 0x06D6, 0x06DC,
        0x06DF, 0x06E4, 0x06E7, 0x06E8, 0x06EA, 0x06ED, 0x0711, 0x0711, 0x0730, 0x074A, 0x07EB, 0x07F3,
        0x07FD, 0x07FD, 0x0816, 0x0819, 0x081B, 0x0823, 0x0825, 0x0827, 0x0829, 0x082D, 0x0859, 0x085B,
        0x0897, 0x089F, 0x08CA, 0x08E1, 0x08E3, 0x0902, 0x093C, 0x093C, 0x0951, 0x0954, 0x0981, 0x0981,
        0x09BC, 0x09BC, 0x09FE, 0x09FE, 0x0A01, 0x0A02, 0x0A3C, 0x0A3C, 0x0A70, 0x0A71, 0x0A81, 0x0A82,
        0x0ABC, 0x0ABC, 0x0AFA, 0x0AFF, 0x0B01, 0x0B01, 0x0B3C, 0x0B3C, 0x0B55, 0x0B55, 0x0B82, 0x0B82,
        0x0C00, 0x0C00, 0x0C04, 0x0C04, 0x0C3C, 0x0C3C, 0x0C81, 0x0C81, 0x0CBC, 0x0CBC, 0x0D00, 0x0D01,
        0x0D81, 0x0D81, 0x0E47, 0x0E4C, 0x0E4E, 0x0E4E, 0x0EC8, 0x0ECC, 0x0ECE, 0x0ECE, 0x0F18, 0x0F19,
        0x0F35, 0x0F35, 0x0F37, 0x0F37, 0x0F39, 0x0F39, 0x0F7E, 0x0F7E, 0x0F82, 0x0F83, 0x0F86, 0x0F87,
        0x0FC6, 0x0FC6, 0x1036, 0x1037, 0x135D, 0x135F, 0x17B4, 0x17B5, 0x17C6, 0x17C6, 0x17C9, 0x17D1,
        0x17D3, 0x17D3, 0x17DD, 0x17DD, 0x180B, 0x180D, 0x180F, 0x180F, 0x1939, 0x193B, 0x1A74, 0x1A7C,
        0x1A7F, 0x1A7F, 0x1AB0, 0x1B03, 0x1B34, 0x1B34, 0x1B6B, 0x1B73, 0x1B80, 0x1B81, 0x1BE6, 0x1BE6,
        0x1C37, 0x1C37, 0x1CD0, 0x1CD2, 0x1CD4, 0x1CE0, 0x1CE2, 0x1CE8, 0x1CED, 0x1CED, 0x1CF4, 0x1CF4,
        0x1CF8, 0x1CF9, 0x1DC0, 0x1DFF, 0x20D0, 0x20FF, 0x2CEF, 0x2CF1, 0x2D7F, 0x2D7F, 0x2DE0, 0x2DFF,
        0x302A, 0x302D, 0x3099, 0x309A, 0xA66F, 0xA66F, 0xA674, 0xA67D, 0xA69E, 0xA69F, 0xA6F0, 0xA6F1,
        0xA80B, 0xA80B, 0xA8C5, 0xA8C5, 0xA8E0, 0xA8F1, 0xA92B, 0xA92D, 0xA980, 0xA982, 0xA9B3, 0xA9B3,
        0xAABF, 0xAABF, 0xAAC1, 0xAAC1, 0xFB1E, 0xFB1E, 0xFE00, 0xFE0F, 0xFE20, 0xFE2F, 0x101FD, 0x101FD,
        0x102E0, 0x102E0, 0x10376, 0x1037A, 0x10A0D, 0x10A0F, 0x10A38, 0x10A3A, 0x10AE5, 0x10AE6, 0x10D24, 0x10D27,
        0x10D69, 0x10D6D, 0x10EAB, 0x10EAC, 0x10EFC, 0x10EFF, 0x10F46, 0x10F50, 0x10F82, 0x10F85, 0x11001, 0x11001,
        0x11080, 0x11081, 0x110BA, 0x110BA, 0x11100, 0x11102, 0x11173, 0x11173, 0x11180, 0x11181, 0x111C9, 0x111CC,
        0x111CF, 0x111CF, 0x11234, 0x11234, 0x11236, 0x11237, 0x1123E, 0x1123E, 0x112DF, 0x112DF, 0x112E9, 0x112E9,
        0x11300, 0x11301, 0x1133B, 0x1133C, 0x11366, 0x1136C, 0x11370, 0x11374, 0x11443, 0x11444, 0x11446, 0x11446,
        0x1145E, 0x1145E, 0x114BF, 0x114C0, 0x114C3, 0x114C3, 0x115BC, 0x115BD, 0x115C0, 0x115C0, 0x1163D, 0x1163D,
        0x11640, 0x11640, 0x116AB, 0x116AB, 0x116B7, 0x116B7, 0x11837, 0x11837, 0x1183A, 0x1183A, 0x1193B, 0x1193C,
        0x11943, 0x11943, 0x11A33, 0x11A33, 0x11A35, 0x11A38, 0x11A96, 0x11A96, 0x11A98, 0x11A98, 0x11C3C, 0x11C3D,
        0x11CB5, 0x11CB6, 0x11D40, 0x11D43, 0x11D95, 0x11D95, 0x11F00, 0x11F01, 0x13440, 0x13440, 0x13447, 0x13455,
        0x1611E, 0x16129, 0x1612D, 0x1612F, 0x16AF0, 0x16AF4, 0x16B30, 0x16B36, 0x16F4F, 0x16F4F, 0x16F8F, 0x16F92,
        0x16FE4, 0x16FE4, 0x1BC9D, 0x1BC9E, 0x1CF00, 0x1CF2D, 0x1CF30, 0x1CF46, 0x1D167, 0x1D169, 0x1D17B, 0x1D182,
        0x1D185, 0x1D18B, 0x1D1AA, 0x1D1AD, 0x1D242, 0x1D244, 0x1DA00, 0x1DA36, 0x1DA3B, 0x1DA6C, 0x1DA75, 0x1DA75,
        0x1DA84, 0x1DA84, 0x1DA9B, 0x1DA9F, 0x1DAA1, 0x1DAAF, 0x1E000, 0x1E006, 0x1E008, 0x1E018, 0x1E01B, 0x1E021,
        0x1E023, 0x1E024, 0x1E026, 0x1E02A, 0x1E08F, 0x1E08F, 0x1E130, 0x1E136, 0x1E2AE, 0x1E2AE, 0x1E2EC, 0x1E2EF,
        0x1E4EC, 0x1E4EF, 0x1E5EE, 0x1E5EF, 0x1E8D0, 0x1E8D6, 0x1E944, 0x1E94A, 0xE0100, 0xE01EF
    ];

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
