using System.Globalization;
using System.Text;
using Contacts.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Contacts.Tests.Api;

/// <summary>
/// Names in fifteen scripts, searched through the API with terms derived from them (pieces, upper and lower case,
/// marks stripped, other letter forms); every answer must equal what <see cref="SearchOracle"/> (ICU's collation, not
/// the product's folding) says should match.
/// </summary>
public abstract class SearchCorpusTests(AppFixture fixture, ITestOutputHelper output)
{
    private static readonly (string First, string Last)[] Corpus =
    [
        // Latin with diacritics
        ("José", "García"), ("Élodie", "Brontë"), ("François", "Müller"), ("Zoë", "Ångström"), ("João", "Gonçalves"), ("Søren", "Kierkegaard"),
        // Vietnamese
        ("Nguyễn", "Thị Minh Khai"), ("Trần", "Hưng Đạo"), ("Phạm", "Văn Đồng"),
        // Turkish dotted and dotless i
        ("İsmail", "Yılmaz"), ("Işıl", "Doğan"), ("Ilgın", "Şahin"), ("Irmak", "Kılıç"),
        // German ß
        ("Jürgen", "Groß"), ("Anna", "Gross"), ("STRASSER", "Weiß"),
        // Polish ł
        ("Łukasz", "Wiśniewski"), ("Małgorzata", "Żółć"), ("Lukasz", "Nowak"),
        // Cyrillic
        ("Иван", "Петров"), ("Алёна", "Йорданова"), ("Юлия", "Сергеевна"), ("Елена", "Иорданова"),
        // Greek with tonos and final sigma
        ("Γιώργος", "Παπαδόπουλος"), ("Νίκος", "Καζαντζάκης"), ("ΆΡΗΣ", "ΣΤΑΘΆΚΗΣ"), ("Σοφία", "Οδυσσέως"),
        // Arabic with harakat and hamza forms
        ("مُحَمَّد", "الأَحْمَد"), ("أحمد", "علي"), ("إبراهيم", "مصطفى"), ("فاطمة", "الزهراء"), ("آمنة", "محـــمود"), ("محمد", "عبد الله"),
        // Persian (and Urdu letter forms)
        ("علی", "کریمی"), ("یاسمین", "کاظمی"), ("شاہد", "آفریدی"), ("زهرۀ", "رضایی"),
        // Hebrew with niqqud
        ("שָׁלוֹם", "כֹּהֵן"), ("דָּוִד", "לֵוִי"), ("שלום", "אברהם"), ("רָחֵל", "מִזְרָחִי"),
        // Devanagari
        ("कुमार", "शर्मा"), ("कमला", "देवी"), ("प्रिया", "सिंह"), ("क़ासिम", "ख़ान"),
        // Thai
        ("สมชาย", "ใจดี"), ("สมศักดิ์", "แสงทอง"), ("กิตติ", "เกศสุวรรณ"), ("น้ำฝน", "กันยา"),
        // Japanese kana (and half-width)
        ("さとう", "はなこ"), ("サトウ", "タロウ"), ("がくと", "すずき"), ("ｻﾄｳ", "ｹﾝ"),
        // Chinese
        ("王", "小明"), ("李", "华"), ("張", "偉"),
        // Korean
        ("김", "민준"), ("이", "서연"), ("박", "지훈"), ("김민", "기영"),
    ];

    [SkippableFact]
    public async Task EveryTermFindsWhatTheIndependentReferenceFinds()
    {
        Skip.If(fixture.SkipReason is not null, fixture.SkipReason);
        var company = await fixture.Data.CompanyAsync();
        var contacts = new List<(long Id, string First, string Last)>();
        foreach (var (first, last) in Corpus) contacts.Add((await fixture.Data.ContactAsync(company.Id, first, last), first, last));
        using var client = fixture.App.ClientWithKey(company.Key);

        var terms = Terms().ToList();
        var failures = new List<string>();
        foreach (var term in terms)
        {
            var expected = contacts.Where(c => SearchOracle.Contains(c.First, term) || SearchOracle.Contains(c.Last, term)
                                               || SearchOracle.Contains($"{c.First} {c.Last}", term))
                .Select(c => c.Id).ToList();
            var actual = ContractAssert.Ids(await ContractAssert.PageAsync(client, ContractAssert.Search(ContractAssert.ContactsPath, term)));
            if (!expected.SequenceEqual(actual))
                failures.Add($"'{term}' ({Codes(term)}): expected [{Names(expected)}], found [{Names(actual)}]");
        }
        output.WriteLine($"{fixture.Database.ProviderName}: {terms.Count} terms over {Corpus.Length} names");
        Assert.True(failures.Count == 0, string.Join("\n", failures));

        string Names(List<long> ids) => string.Join(", ", ids.Select(id => contacts.First(c => c.Id == id)).Select(c => $"{c.First} {c.Last}"));
    }

    private static string Codes(string term) => string.Join(" ", term.EnumerateRunes().Select(r => r.Value.ToString("X4", CultureInfo.InvariantCulture)));

    /// <summary>Trimmed, non-empty, NFC (what the API searches for), each once.</summary>
    private static IEnumerable<string> Terms()
    {
        var random = new Random(20261129);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (first, last) in Corpus)
        {
            foreach (var text in new[] { first, last, $"{first} {last}" })
            {
                var runes = text.EnumerateRunes().Select(r => r.ToString()).ToArray();
                var pieces = new List<string> { text };
                for (var i = 0; i < 3; i++)
                {
                    var start = random.Next(runes.Length);
                    pieces.Add(string.Concat(runes.Skip(start).Take(1 + random.Next(runes.Length - start))));
                }
                foreach (var piece in pieces)
                {
                    foreach (var variant in new[] { piece, piece.ToUpperInvariant(), piece.ToLowerInvariant(), StripMarks(piece), OtherForms(piece) })
                    {
                        var term = variant.Trim().Normalize(NormalizationForm.FormC);
                        if (term.Length > 0 && seen.Add(term)) yield return term;
                    }
                }
            }
        }
    }

    /// <summary>As typed without accents, vowel points or harakat: every non-spacing mark of NFD gone.</summary>
    private static string StripMarks(string text) => string.Concat(text.Normalize(NormalizationForm.FormD)
        .Where(c => CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark));

    /// <summary>The same name as another keyboard or spelling writes it.</summary>
    private static string OtherForms(string text)
    {
        var builder = new StringBuilder(text.Length + 2);
        foreach (var c in text)
        {
            builder.Append(c switch
            {
                'ي' => "ی", 'ی' => "ي", 'ك' => "ک", 'ک' => "ك", 'ة' => "ه", 'ى' => "ي", 'أ' or 'إ' or 'آ' => "ا", 'ه' => "ہ",
                'ß' => "ss", 'ł' => "l", 'Ł' => "L", 'ı' => "i", 'İ' => "I", 'ς' => "σ", 'й' => "и", 'ё' => "е",
                'ｻ' => "サ", 'ﾄ' => "ト", 'ｳ' => "ウ",
                _ => c.ToString(),
            });
        }
        return builder.ToString();
    }
}

public sealed class SqliteSearchCorpusTests(SqliteAppFixture fixture, ITestOutputHelper output)
    : SearchCorpusTests(fixture, output), IClassFixture<SqliteAppFixture>;

public sealed class PostgresSearchCorpusTests(PostgresAppFixture fixture, ITestOutputHelper output)
    : SearchCorpusTests(fixture, output), IClassFixture<PostgresAppFixture>;
