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

        Assert.Equal(new Dictionary<long, long> { [red] = 3, [blue] = 2, [green] = 1 }, await fixture.App.TagCountsAsync(company));

        await ExecuteAsync($"DELETE FROM contact_tag WHERE contact_id = {a} AND tag_id = {blue}");
        await ExecuteAsync($"DELETE FROM contact WHERE id = {b}"); // cascades to its three tag links
        await ExecuteAsync($"DELETE FROM tag WHERE id = {green}");
        await ExecuteAsync($"INSERT INTO contact_tag (company_id, contact_id, tag_id) SELECT company_id, id, {blue} FROM contact WHERE company_id = {company.Id}");

        var counts = await fixture.App.TagCountsAsync(company);
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
        Assert.Equal(new Dictionary<long, long> { [lonely] = 0 }, await fixture.App.TagCountsAsync(company));
        Assert.Equal(0, await TotalAsync(company));
    }

    /// <summary>
    /// From offset 2,048 on, a PostgreSQL page starts from per-block counters (migration 0004) instead of walking the
    /// offset: pages on either side of that line, and across blocks of 1,024 ids, must equal the plain id order after
    /// inserts, deletes, moves to another company and id changes made by plain SQL.
    /// </summary>
    [SkippableFact]
    public async Task DeepPagesStayExactWhenRowsAreWrittenByPlainSql()
    {
        var company = await Data.CompanyAsync();
        var other = await Data.CompanyAsync();
        var seed = await Data.ContactAsync(company.Id, "Seed");
        var first = 600_000_000L + company.Id * 100_000;
        await ExecuteAsync(InsertSeries(company.Id, first, step: 7, count: 3000, seed));
        await ExecuteAsync(InsertSeries(other.Id, first + 3, step: 7, count: 1000, seed)); // interleaved with another company's ids
        await ExecuteAsync($"DELETE FROM contact WHERE company_id = {company.Id} AND id % 5 = 0");
        await ExecuteAsync($"UPDATE contact SET company_id = {other.Id} WHERE company_id = {company.Id} AND id % 11 = 0");
        await ExecuteAsync($"UPDATE contact SET id = id + 50000 WHERE company_id = {company.Id} AND id % 13 = 0");

        var expected = await IdsAsync($"SELECT id FROM contact WHERE company_id = {company.Id} ORDER BY id");
        Assert.InRange(expected.Count, 2101, 3000);
        using var client = fixture.App.ClientWithKey(company.Key);
        foreach (var offset in new[] { 0, 1, 1023, 1024, 2047, 2048, 2049, 2100, expected.Count - 1, expected.Count, expected.Count + 7 })
        {
            var page = await PageAsync(client, $"{ContactsPath}?limit=1&page={offset + 1}");
            Assert.Equal(expected.Count, page.GetProperty("totalRecords").GetInt64());
            Assert.Equal(expected.Skip(offset).Take(1).Select(Text), Ids(page));
        }
        foreach (var pageNumber in new[] { 20, 21, 22 }) // offsets 1,900, 2,000 and 2,100: both ways, across several blocks
        {
            var page = await PageAsync(client, $"{ContactsPath}?limit=100&page={pageNumber}");
            Assert.Equal(expected.Skip((pageNumber - 1) * 100).Take(100).Select(Text), Ids(page));
        }
    }

    private static string InsertSeries(long company, long firstId, int step, int count, long copyTimestampsOf) => $"""
        WITH RECURSIVE g(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM g WHERE n < {count - 1})
        INSERT INTO contact (id, company_id, first_name, created_at, updated_at)
        SELECT {firstId} + n * {step}, {company}, 'Deep', s.created_at, s.updated_at
        FROM g, (SELECT created_at, updated_at FROM contact WHERE id = {copyTimestampsOf}) s
        """;

    private static string Text(long id) => id.ToString(CultureInfo.InvariantCulture);

    private static List<string> Ids(System.Text.Json.JsonElement page) =>
        page.GetProperty("data").EnumerateArray().Select(c => c.GetProperty("id").GetString()!).ToList();

    private async Task<List<long>> IdsAsync(string sql)
    {
        await using var connection = await Db.OpenAsync();
        await using var command = Db.Command(connection, sql);
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<long>();
        while (await reader.ReadAsync()) ids.Add(reader.GetInt64(0));
        return ids;
    }

    private async Task<long> TotalAsync(TestCompany company)
    {
        using var client = fixture.App.ClientWithKey(company.Key);
        return (await PageAsync(client, ContactsPath)).GetProperty("totalRecords").GetInt64();
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
