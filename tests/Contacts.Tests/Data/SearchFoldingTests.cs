using System.Globalization;
using System.Text;
using Contacts.Data;
using Contacts.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Contacts.Tests.Data;

/// <summary>SQLite stores text folded by C#, PostgreSQL by its own SQL function: the two must agree, or the databases answer differently.</summary>
public sealed class SearchFoldingTests(ITestOutputHelper output)
{
    private static readonly string[] Strings =
    [
        "José Álvarez", "ÉLODIE", "élodie", "Łukasz Wiśniewski", "Nguyễn Thị Minh Khai", "François Müller", "Zoë Søren",
        "Иван Петров", "ЁЛКА", "Γιώργος Παπαδόπουλος", "ΟΔΟΣ", "οδός", "佐藤 花子", "がぎぐ", "محمد الأحمد", "İstanbul", "Straße",
        "jane.doe+crm@example.com", "+1 (234) 567-890", "123456789012345@lid", "100% a_b\\c", "Ǆemal", "ﬁne", "e\u0301", "Søren Łukasz Đorđe Ærøskøbing Œuvre STRASSE ẞ", "ＡＢＣ１２３", "ﬁnance", "Iıİi", "",
        "مُحَمَّد", "أَحْمَد إبراهيم آمنة", "مصطفى فاطمة محـــمود", "علی کریمی شاہد عائشہ زهرۀ ۀَ ە\u064e\u0654", "שָׁלוֹם כֹּהֵן", "ﷺ ﻻ ﻷ",
        "कुमार क़ासिम प्रिया", "สมศักดิ์ น้ำฝน ใจดี", "ລາວ ນ້ຳ", "김민준", "ཀྵ", "❤️", "a\U000E0100b", "ሰላም", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    ];

    public static TheoryData<string> Samples => new(Strings);

    [Theory]
    [MemberData(nameof(Samples))]
    public void FoldIgnoresCaseAndAccents(string sample)
    {
        var folded = SearchText.Fold(sample);
        Assert.Equal(folded, SearchText.Fold(folded));
        Assert.Equal(folded, SearchText.Fold(sample.ToUpperInvariant()));
        Assert.Equal(folded, SearchText.Fold(sample.Normalize(NormalizationForm.FormD)));
    }

    [Fact]
    public void FoldMakesAccentedAndPlainLettersEqual()
    {
        Assert.Equal("jose elodie", SearchText.Fold("JOSÉ Élodie"));
        Assert.Equal(SearchText.Fold("οδοσ"), SearchText.Fold("ΟΔΌΣ"));
        Assert.Equal(SearchText.Fold("e"), SearchText.Fold("e\u0301"));
        Assert.Equal("soren lukasz dorde", SearchText.Fold("Søren Łukasz Đorđe"));
        Assert.Equal("strasse aeroskobing oeuvre", SearchText.Fold("Straße Ærøskøbing Œuvre"));
        Assert.Equal("finance abc", SearchText.Fold("ﬁnance ＡＢＣ"));
    }

    [Theory]
    [InlineData("مُحَمَّد", "محمد")] // harakat
    [InlineData("שָׁלוֹם", "שלומ")] // niqqud, the shin dot, and the final letters as their other forms
    [InlineData("ךםןףץ", "כמנפצ")]
    [InlineData("أحمد إحمد آمنة", "احمد احمد امنه")] // alef with hamza above, below, madda
    [InlineData("مصطفى", "مصطفي")] // alef maksura
    [InlineData("فاطمة", "فاطمه")] // teh marbuta
    [InlineData("محـــمود", "محمود")] // tatweel
    [InlineData("علی کریمی", "علي كريمي")] // Farsi yeh, keheh
    [InlineData("شاہد مصطفے", "شاهد مصطفي")] // heh goal, yeh barree
    [InlineData("زهرۀ ۀَ", "زهره ه")] // heh with yeh above, with a mark between after NFKD
    [InlineData("ؤ ئ", "و ي")] // other hamza seats are marks after NFKD too
    [InlineData("ﻷ", "لا")] // presentation forms
    [InlineData("がぎぐ ｶﾞ", "かきく カ")] // kana voicing marks
    [InlineData("क़ासिम", "कासिम")] // Devanagari nukta
    [InlineData("น้ำ ไม้", "นํา ไม")] // Thai tone marks (sara am is nikhahit + sara aa after NFKD)
    [InlineData("a\U000E0100b ❤️", "ab ❤")] // variation selectors, also outside the BMP
    public void FoldRemovesMarksAndMergesLetterFormsInEveryScript(string text, string expected) =>
        Assert.Equal(expected, SearchText.Fold(text));

    [Theory]
    [InlineData("कुमार", "कमार")]
    [InlineData("कमल", "क्मल")] // virama
    [InlineData("กิน", "กัน")]
    [InlineData("ໄປ", "ໄປ\u0eb4")]
    public void BrahmicVowelSignsAndViramasAreKept(string one, string other) =>
        Assert.NotEqual(SearchText.Fold(one), SearchText.Fold(other));

    [Fact]
    public void WhatFoldingLeavesAlone()
    {
        Assert.NotEqual(SearchText.Fold("さとう"), SearchText.Fold("サトウ")); // kana type
        Assert.Equal("\u0646\u06cc\u06a9\u200c\u0646\u0627\u0645".Replace("\u06cc", "\u064a").Replace("\u06a9", "\u0643"),
            SearchText.Fold("\u0646\u06cc\u06a9\u200c\u0646\u0627\u0645")); // zero-width non-joiner kept
        Assert.Equal("٣۳", SearchText.Fold("٣۳"));
        Assert.Equal("ٱ", SearchText.Fold("ٱ"));
        Assert.StartsWith(SearchText.Fold("기"), SearchText.Fold("김"), StringComparison.Ordinal); // a syllable being typed
        Assert.DoesNotContain(SearchText.Fold("นา"), SearchText.Fold("น้ำ"), StringComparison.Ordinal);
    }

    /// <summary>
    /// RemovedRanges is generated: every Mn code point of .NET's tables, except those of the Brahmic and Thaana blocks
    /// that ICU's root collation weighs as letters (and the two nikhahits that NFKD splits off sara am), plus tatweel
    /// and the combining blocks of the first rule. On a mismatch the test prints the table to paste.
    /// </summary>
    [Fact]
    public void RemovedRangesAreEveryNonSpacingMarkButBrahmicLetters()
    {
        var collation = CultureInfo.InvariantCulture.CompareInfo;
        const CompareOptions primary = CompareOptions.IgnoreCase | CompareOptions.IgnoreNonSpace | CompareOptions.IgnoreWidth;
        var expected = new List<int>();
        for (var c = 0; c <= 0x10ffff; c++)
        {
            if (c is >= 0xd800 and <= 0xdfff) continue;
            if (c is >= 0x0300 and <= 0x036f or >= 0x1ab0 and <= 0x1aff or >= 0x1dc0 and <= 0x1dff or >= 0x20d0 and <= 0x20ff or >= 0xfe20 and <= 0xfe2f or 0x0640)
            {
                expected.Add(c);
                continue;
            }
            var text = char.ConvertFromUtf32(c);
            if (CharUnicodeInfo.GetUnicodeCategory(text, 0) != UnicodeCategory.NonSpacingMark) continue;
            var letterLike = !(collation.Compare("\u0915" + text, "\u0915", primary) == 0 || collation.Compare("a" + text, "a", primary) == 0
                               || collation.Compare("\u0e01" + text, "\u0e01", primary) == 0) || c is 0x0e4d or 0x0ecd;
            if (letterLike && IsBrahmicOrThaana(c)) continue;
            expected.Add(c);
        }
        var ranges = new List<int>();
        foreach (var c in expected)
        {
            if (ranges.Count > 0 && ranges[^1] == c - 1) ranges[^1] = c;
            else ranges.AddRange([c, c]);
        }
        var actual = SearchText.RemovedRanges.ToArray();
        if (!actual.SequenceEqual(ranges))
            output.WriteLine(string.Join(",\n", ranges.Chunk(12).Select(chunk => string.Join(", ", chunk.Select(c => $"0x{c:X4}")))));
        Assert.Equal(ranges, actual);
    }

    private static bool IsBrahmicOrThaana(int c) =>
        c is >= 0x0780 and <= 0x07bf or >= 0x0900 and <= 0x109f or >= 0x1700 and <= 0x1aaf or >= 0x1b00 and <= 0x1c4f
            or >= 0xa800 and <= 0xabff or >= 0x10a00 and <= 0x10a5f or >= 0x11000 and <= 0x11fff;

    [SkippableFact]
    public async Task PostgresFoldAgreesWithTheApplicationFold()
    {
        var server = await PostgresServer.SharedAsync();
        Ci.SkipIf(server.UnavailableReason is not null, server.UnavailableReason);
        await using var database = await TestDatabase.PostgresAsync(server);
        await using var connection = await database.Db.OpenAsync();
        foreach (var sample in Strings)
        {
            await using var command = database.Db.Command(connection, "SELECT contacts_fold(@t), contacts_digits(@t)");
            ContactsDatabase.AddParameter(command, "@t", sample);
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            Assert.Equal(SearchText.Fold(sample), reader.GetString(0));
            Assert.Equal(SearchText.Digits(sample), reader.GetString(1));
        }
    }

    /// <summary>Each assigned code point alone, after a letter, and between ە and hamza above; the non-spacing marks of the other planes too.</summary>
    [SkippableFact]
    public async Task PostgresFoldAgreesWithTheApplicationFoldOnEveryAssignedBmpCodePoint()
    {
        var server = await PostgresServer.SharedAsync();
        Skip.If(server.UnavailableReason is not null, server.UnavailableReason);
        await using var database = await TestDatabase.PostgresAsync(server);
        var samples = new List<string>();
        for (var c = 1; c <= 0x10ffff; c++)
        {
            if (c is >= 0xd800 and <= 0xdfff) continue;
            var text = char.ConvertFromUtf32(c);
            var category = CharUnicodeInfo.GetUnicodeCategory(text, 0);
            if (category is UnicodeCategory.OtherNotAssigned or UnicodeCategory.PrivateUse) continue;
            if (c > 0xffff && category != UnicodeCategory.NonSpacingMark) continue;
            samples.AddRange([text, "A" + text + "b", "\u06d5" + text + "\u0654"]);
        }
        await using var connection = await database.Db.OpenAsync();
        await using var command = database.Db.Command(connection, "SELECT contacts_fold(t) FROM unnest(@t) WITH ORDINALITY AS s (t, n) ORDER BY n");
        command.CommandTimeout = 600;
        ContactsDatabase.AddParameter(command, "@t", samples.ToArray());
        var folded = new List<string>(samples.Count);
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) folded.Add(reader.GetString(0));
        }
        var differences = samples.Select((s, i) => (Sample: s, Postgres: folded[i], Application: SearchText.Fold(s)))
            .Where(d => d.Postgres != d.Application)
            .Select(d => $"{Codes(d.Sample)}: postgres {Codes(d.Postgres)}, application {Codes(d.Application)}").ToList();
        output.WriteLine($"{samples.Count} samples, {differences.Count} differences");
        Assert.True(differences.Count == 0, string.Join("\n", differences.Take(200)));
    }

    private static string Codes(string text) => string.Join(" ", text.EnumerateRunes().Select(r => r.Value.ToString("X4", CultureInfo.InvariantCulture)));
}
