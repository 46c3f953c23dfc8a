using System.Globalization;
using System.Text;

namespace Contacts.Tests.Infrastructure;

/// <summary>
/// The expected answer of "does this text contain this search term, ignoring case and accents", computed without the
/// product's folding code: ICU's root collation at primary strength (CompareInfo with IgnoreCase, IgnoreNonSpace and
/// IgnoreWidth), after NFKC and a short table of where docs/search.md deliberately differs from ICU's order. A
/// disagreement with the service is a bug in one of the two, to be looked at, never "fixed" by copying the other.
/// </summary>
public static class SearchOracle
{
    private const CompareOptions Primary = CompareOptions.IgnoreCase | CompareOptions.IgnoreNonSpace | CompareOptions.IgnoreWidth;
    private static readonly CompareInfo Root = CultureInfo.InvariantCulture.CompareInfo;

    /// <summary>Letters ICU's root order keeps apart that the rule merges (docs/search.md), and tatweel, which the rule drops.</summary>
    private static readonly Dictionary<char, string> Equivalences = new()
    {
        ['ı'] = "i", ['ŧ'] = "t", ['Ŧ'] = "t", ['ß'] = "ss", ['ẞ'] = "ss", ['й'] = "и", ['Й'] = "и",
        ['أ'] = "ا", ['إ'] = "ا", ['آ'] = "ا", ['ى'] = "ي", ['ی'] = "ي", ['ے'] = "ي",
        ['ة'] = "ه", ['ۀ'] = "ه", ['ہ'] = "ه", ['ک'] = "ك", ['ـ'] = "",
    };

    private const char GraphemeJoiner = '\u034f';
    private const char ZeroWidthSpace = '\u200b';

    public static bool Contains(string? text, string term) =>
        text is not null && Root.IndexOf(Prepare(text), Prepare(term), Primary) >= 0;

    /// <summary>
    /// Besides the table: ICU reads a Thai or Lao prevowel and its consonant as one unit, a Hangul syllable as one unit,
    /// and will not end a match inside a grapheme (before a vowel sign); the rule compares code points after NFKD, so
    /// a term may end or start there (typing कु passes through क, typing 김 through 기). Separators that ICU ignores
    /// (a zero-width space, the grapheme joiner) open those units.
    /// </summary>
    private static string Prepare(string value)
    {
        var builder = new StringBuilder(value.Length * 2);
        foreach (var rune in value.Normalize(NormalizationForm.FormKC).EnumerateRunes())
        {
            var c = rune.Value;
            if (rune.IsBmp && Equivalences.TryGetValue((char)c, out var equivalent))
            {
                builder.Append(equivalent);
                continue;
            }
            if (c is >= 0xac00 and <= 0xd7a3)
            {
                builder.AppendJoin(GraphemeJoiner, rune.ToString().Normalize(NormalizationForm.FormD).ToCharArray());
                continue;
            }
            if (Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark)
                builder.Append(ZeroWidthSpace);
            builder.Append(rune.ToString());
            if (c is >= 0x0e40 and <= 0x0e44 or >= 0x0ec0 and <= 0x0ec4) builder.Append(GraphemeJoiner);
        }
        return builder.ToString();
    }
}
