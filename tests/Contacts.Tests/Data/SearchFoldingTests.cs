using Contacts.Data;
using Contacts.Tests.Infrastructure;

namespace Contacts.Tests.Data;

/// <summary>SQLite stores text folded by C#, PostgreSQL by its own SQL function: the two must agree, or the databases answer differently.</summary>
public sealed class SearchFoldingTests
{
    private static readonly string[] Strings =
    [
        "José Álvarez", "ÉLODIE", "élodie", "Łukasz Wiśniewski", "Nguyễn Thị Minh Khai", "François Müller", "Zoë Søren",
        "Иван Петров", "ЁЛКА", "Γιώργος Παπαδόπουλος", "ΟΔΟΣ", "οδός", "佐藤 花子", "がぎぐ", "محمد الأحمد", "İstanbul", "Straße",
        "jane.doe+crm@example.com", "+1 (234) 567-890", "123456789012345@lid", "100% a_b\\c", "Ǆemal", "ﬁne", "e\u0301", "Søren Łukasz Đorđe Ærøskøbing Œuvre STRASSE ẞ", "ＡＢＣ１２３", "ﬁnance", "Iıİi", "",
    ];

    public static TheoryData<string> Samples => new(Strings);

    [Theory]
    [MemberData(nameof(Samples))]
    public void FoldIgnoresCaseAndAccents(string sample)
    {
        var folded = SearchText.Fold(sample);
        Assert.Equal(folded, SearchText.Fold(folded));
        Assert.Equal(folded, SearchText.Fold(sample.ToUpperInvariant()));
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
}
