using System.Globalization;
using Contacts.Data;
using Contacts.Tests.Infrastructure;
using static Contacts.Tests.Api.ContractAssert;

namespace Contacts.Tests.Data;

/// <summary>
/// totalRecords of the unfiltered list and the tags' contact counts come from counters the database keeps itself
/// (migration 0002): they must stay exact whatever writes the rows, here plain SQL as another application would.
/// </summary>
public abstract class CountTests(AppFixture fixture)
{
    private TestData Data => fixture.Data;

    private ContactsDatabase Db => fixture.Database.Db;

    [SkippableFact]
    public async Task ContactTotalStaysExactWhenRowsAreInsertedAndDeletedByPlainSql()
    {
        var company = await Data.CompanyAsync();
        var other = await Data.CompanyAsync();
        var ids = new List<long>();
        for (var i = 0; i < 5; i++) ids.Add(await Data.ContactAsync(company.Id, $"Person{i}", email: $"p{i}@x.test"));
        await Data.ContactAsync(other.Id, "Elsewhere");
        // One statement writing several rows, and one deleting several.
        await ExecuteAsync($"INSERT INTO contact (company_id, first_name, created_at, updated_at) SELECT company_id, 'Copy', created_at, updated_at FROM contact WHERE company_id = {company.Id}");
        await ExecuteAsync($"DELETE FROM contact WHERE id IN ({ids[0]}, {ids[1]})");

        Assert.Equal(8, await TotalAsync(company));
        Assert.Equal(await CountAsync($"SELECT count(*) FROM contact WHERE company_id = {company.Id}"), await TotalAsync(company));
        Assert.Equal(1, await TotalAsync(other));

        await ExecuteAsync($"DELETE FROM contact WHERE company_id = {company.Id}");
        Assert.Equal(0, await TotalAsync(company));
        Assert.Equal(1, await TotalAsync(other));
    }

    [SkippableFact]
    public async Task ContactTotalFollowsAContactMovedToAnotherCompany()
    {
        var from = await Data.CompanyAsync();
        var to = await Data.CompanyAsync();
        var moved = await Data.ContactAsync(from.Id, "Mover");
        await Data.ContactAsync(from.Id, "Stayer");

        await ExecuteAsync($"UPDATE contact SET company_id = {to.Id} WHERE id = {moved}");
        await ExecuteAsync($"UPDATE contact SET first_name = 'Still here' WHERE company_id = {from.Id}");

        Assert.Equal(1, await TotalAsync(from));
        Assert.Equal(1, await TotalAsync(to));
    }

    [SkippableFact]
    public async Task TagCountsStayExactWhenTagsAreAttachedDetachedAndCascadedByPlainSql()
    {
        var company = await Data.CompanyAsync();
        var red = await Data.TagAsync(company.Id, "Red");
        var blue = await Data.TagAsync(company.Id, "Blue");
        var green = await Data.TagAsync(company.Id, "Green");
        var a = await Data.ContactAsync(company.Id, "A", tags: [red, blue]);
        var b = await Data.ContactAsync(company.Id, "B", tags: [red, blue, green]);
        await Data.ContactAsync(company.Id, "C", tags: [red]);
        await Data.ContactAsync(company.Id, "D");

        Assert.Equal(new Dictionary<long, long> { [red] = 3, [blue] = 2, [green] = 1 }, await TagCountsAsync(company));

        await ExecuteAsync($"DELETE FROM contact_tag WHERE contact_id = {a} AND tag_id = {blue}");
        await ExecuteAsync($"DELETE FROM contact WHERE id = {b}"); // cascades to its three tag links
        await ExecuteAsync($"DELETE FROM tag WHERE id = {green}");
        await ExecuteAsync($"INSERT INTO contact_tag (company_id, contact_id, tag_id) SELECT company_id, id, {blue} FROM contact WHERE company_id = {company.Id}");

        var counts = await TagCountsAsync(company);
        Assert.Equal(new Dictionary<long, long> { [red] = 2, [blue] = 3 }, counts);
        foreach (var (tag, count) in counts)
            Assert.Equal(await CountAsync($"SELECT count(*) FROM contact_tag WHERE tag_id = {tag}"), count);
        Assert.Equal(3, await TotalAsync(company));
    }

    [SkippableFact]
    public async Task ANewTagWithoutContactsCountsZero()
    {
        var company = await Data.CompanyAsync();
        var lonely = await Data.TagAsync(company.Id, "Lonely");
        Assert.Equal(new Dictionary<long, long> { [lonely] = 0 }, await TagCountsAsync(company));
        Assert.Equal(0, await TotalAsync(company));
    }

    private async Task<long> TotalAsync(TestCompany company)
    {
        using var client = fixture.App.ClientWithKey(company.Key);
        return (await PageAsync(client, ContactsPath)).GetProperty("totalRecords").GetInt64();
    }

    private async Task<Dictionary<long, long>> TagCountsAsync(TestCompany company)
    {
        using var client = fixture.App.ClientWithKey(company.Key);
        var page = await PageAsync(client, TagsPath + "?limit=100");
        return page.GetProperty("data").EnumerateArray().ToDictionary(
            t => long.Parse(t.GetProperty("id").GetString()!, CultureInfo.InvariantCulture),
            t => t.GetProperty("_count").GetProperty("contact_tag").GetInt64());
    }


    private async Task ExecuteAsync(string sql)
    {
        await using var connection = await Db.OpenAsync();
        await using var command = Db.Command(connection, sql);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var connection = await Db.OpenAsync();
        await using var command = Db.Command(connection, sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }
}

public sealed class SqliteCountTests(SqliteAppFixture fixture) : CountTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class PostgresCountTests(PostgresAppFixture fixture) : CountTests(fixture), IClassFixture<PostgresAppFixture>;
