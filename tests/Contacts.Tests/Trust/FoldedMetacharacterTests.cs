using Contacts.Tests.Api;
using Contacts.Tests.Infrastructure;

namespace Contacts.Tests.Trust;

/// <summary>
/// Found by the model-based test: characters that fold into LIKE metacharacters (full-width ＿ ％ ＼, small ﹪)
/// are literal too; they match what they fold to, and never act as wildcards.
/// </summary>
public abstract class FoldedMetacharacterTests(AppFixture fixture)
{
    [SkippableTheory]
    [InlineData("＿", "a_c")]
    [InlineData("％", "50%")]
    [InlineData("﹪", "50%")]
    [InlineData("＼", @"x\y")]
    public async Task ACharacterThatFoldsIntoAMetacharacterMatchesOnlyThatCharacter(string term, string literal)
    {
        Ci.SkipIf(fixture.SkipReason is not null, fixture.SkipReason);
        var company = await fixture.Data.CompanyAsync();
        var match = await fixture.Data.ContactAsync(company.Id, "Lit", literal);
        await fixture.Data.ContactAsync(company.Id, "Plain", "abc");
        var tag = await fixture.Data.TagAsync(company.Id, literal);
        await fixture.Data.TagAsync(company.Id, "m");
        using var client = fixture.App.ClientWithKey(company.Key);

        Assert.Equal([match], ContractAssert.Ids(await ContractAssert.PageAsync(client, ContractAssert.Search(ContractAssert.ContactsPath, term))));
        Assert.Equal([tag], ContractAssert.Ids(await ContractAssert.PageAsync(client, ContractAssert.Search(ContractAssert.TagsPath, term))));
    }
}

public sealed class SqliteFoldedMetacharacterTests(SqliteAppFixture fixture) : FoldedMetacharacterTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class PostgresFoldedMetacharacterTests(PostgresAppFixture fixture) : FoldedMetacharacterTests(fixture), IClassFixture<PostgresAppFixture>;
