using Contacts.Tests.Infrastructure;
using static Contacts.Tests.Api.ContractAssert;

namespace Contacts.Tests.Data;

/// <summary>
/// On SQLite, terms of three characters or more are looked up in an FTS5 trigram index (migration 0004) that triggers
/// keep in step with contact: rows changed by plain SQL, as another application would, must be found by their new text
/// only, and deleted rows not at all.
/// </summary>
public sealed class SqliteSearchIndexTests(SqliteAppFixture fixture) : IClassFixture<SqliteAppFixture>
{
    [SkippableFact]
    public async Task RowsChangedByPlainSqlAreFoundByTheirNewTextOnly()
    {
        var company = await fixture.Data.CompanyAsync();
        var renamed = await fixture.Data.ContactAsync(company.Id, "Quentin", "Oldname", phone: "+1 555 0100");
        var deleted = await fixture.Data.ContactAsync(company.Id, "Quentin", "Goner");
        var moved = await fixture.Data.ContactAsync(company.Id, "Quentin", "Mover");
        using var client = fixture.App.ClientWithKey(company.Key);
        Assert.Equal([renamed, deleted, moved], Ids(await PageAsync(client, ContactsPath + "?search=quentin")));

        await ExecuteAsync($"UPDATE contact SET last_name = 'Newname', search_text = 'quentin newname', phone_digits = '15550199' WHERE id = {renamed}");
        await ExecuteAsync($"DELETE FROM contact WHERE id = {deleted}");
        await ExecuteAsync($"UPDATE contact SET id = {moved + 1_000_000} WHERE id = {moved}");

        Assert.Equal([renamed, moved + 1_000_000], Ids(await PageAsync(client, ContactsPath + "?search=quentin")));
        Assert.Equal([renamed], Ids(await PageAsync(client, ContactsPath + "?search=newname")));
        Assert.Empty(Ids(await PageAsync(client, ContactsPath + "?search=oldname")));
        Assert.Empty(Ids(await PageAsync(client, ContactsPath + "?search=goner")));
        Assert.Equal([renamed], Ids(await PageAsync(client, ContactsPath + "?search=550199")));
        Assert.Empty(Ids(await PageAsync(client, ContactsPath + "?search=550100")));
    }

    private async Task ExecuteAsync(string sql)
    {
        var db = fixture.Database.Db;
        await using var connection = await db.OpenAsync();
        await using var command = db.Command(connection, sql);
        await command.ExecuteNonQueryAsync();
    }
}
