using System.Globalization;
using System.Net;
using System.Text.Json;
using Contacts.Data;
using Contacts.Tests.Infrastructure;

namespace Contacts.Tests.Api;

/// <summary>
/// The success envelope: paging arithmetic, order, the response headers and the shape of contacts and tags.
/// </summary>
public abstract class PagingTests(AppFixture fixture)
{
    protected TestData Data => fixture.Data;

    protected TestApp App => fixture.App;

    private static readonly string[] EnvelopeKeys = ["data", "currentPage", "totalPages", "totalRecords"];
    private static readonly string[] ContactKeys =
        ["id", "first_name", "last_name", "email", "phone_number", "phone_number_lid", "profile_picture", "created_at", "updated_at", "tags"];
    private static readonly string[] ContactTagKeys = ["id", "name", "color"];
    private static readonly string[] TagKeys = ["id", "name", "color", "created_at", "_count"];

    private async Task<(TestCompany Company, List<long> Ids)> CompanyWithContactsAsync(int count)
    {
        var company = await Data.CompanyAsync();
        var ids = new List<long>();
        for (var i = 0; i < count; i++) ids.Add(await Data.ContactAsync(company.Id, "Contact", i.ToString(CultureInfo.InvariantCulture)));
        return (company, ids);
    }

    private static void AssertEnvelope(JsonElement page, int currentPage, long totalPages, long totalRecords, int items)
    {
        Assert.Equal(EnvelopeKeys, page.EnumerateObject().Select(p => p.Name));
        Assert.Equal(currentPage, page.GetProperty("currentPage").GetInt32());
        Assert.Equal(totalPages, page.GetProperty("totalPages").GetInt64());
        Assert.Equal(totalRecords, page.GetProperty("totalRecords").GetInt64());
        Assert.Equal(items, page.GetProperty("data").GetArrayLength());
    }

    [SkippableFact]
    public async Task DefaultsArePageOneAndLimitTen()
    {
        var (company, ids) = await CompanyWithContactsAsync(12);
        using var client = App.ClientWithKey(company.Key);

        var page = await ContractAssert.PageAsync(client, ContractAssert.ContactsPath);

        AssertEnvelope(page, 1, 2, 12, 10);
        Assert.Equal(ids[..10], ContractAssert.Ids(page));
    }

    [SkippableFact]
    public async Task TotalPagesIsTheCeilingOfTotalRecordsOverLimit()
    {
        var (company, _) = await CompanyWithContactsAsync(6);
        using var client = App.ClientWithKey(company.Key);

        foreach (var (limit, pages) in new[] { (1, 6), (2, 3), (3, 2), (4, 2), (5, 2), (6, 1), (7, 1), (100, 1) })
        {
            var page = await ContractAssert.PageAsync(client, $"{ContractAssert.ContactsPath}?limit={limit}");
            AssertEnvelope(page, 1, pages, 6, Math.Min(limit, 6));
        }
    }

    [SkippableFact]
    public async Task NothingMatchingGivesZeroPagesAndEmptyData()
    {
        var (company, _) = await CompanyWithContactsAsync(3);
        using var client = App.ClientWithKey(company.Key);

        var page = await ContractAssert.PageAsync(client, $"{ContractAssert.ContactsPath}?search=nobody-has-this");

        AssertEnvelope(page, 1, 0, 0, 0);
        Assert.Equal(JsonValueKind.Array, page.GetProperty("data").ValueKind);
    }

    [SkippableTheory]
    [MemberData(nameof(ContractAssert.BothPaths), MemberType = typeof(ContractAssert))]
    public async Task EmptyCompanyHasAnEmptyFirstPage(string path)
    {
        var company = await Data.CompanyAsync();
        using var client = App.ClientWithKey(company.Key);

        AssertEnvelope(await ContractAssert.PageAsync(client, path), 1, 0, 0, 0);
        AssertEnvelope(await ContractAssert.PageAsync(client, path + "?page=3"), 3, 0, 0, 0);
    }

    // Unfiltered, the total is a counter; filtered, the page's own statement counts the matches, and past the end there is
    // no row to carry that total.
    [SkippableTheory]
    [InlineData("")]
    [InlineData("search=contact")]
    [InlineData("search=co")]
    [InlineData("updated_since=2000-01-01T00:00:00Z")]
    public async Task PagePastTheEndIsOkWithEmptyDataAndTheTotals(string filter)
    {
        var (company, ids) = await CompanyWithContactsAsync(5);
        using var client = App.ClientWithKey(company.Key);

        var last = await ContractAssert.PageAsync(client, $"{ContractAssert.ContactsPath}?{filter}&page=3&limit=2");
        AssertEnvelope(last, 3, 3, 5, 1);
        Assert.Equal([ids[4]], ContractAssert.Ids(last));
        AssertEnvelope(await ContractAssert.PageAsync(client, $"{ContractAssert.ContactsPath}?{filter}&page=4&limit=2"), 4, 3, 5, 0);
        AssertEnvelope(await ContractAssert.PageAsync(client, $"{ContractAssert.ContactsPath}?{filter}&page=2147483647&limit=100"), int.MaxValue, 1, 5, 0);
        AssertEnvelope(await ContractAssert.PageAsync(client, $"{ContractAssert.ContactsPath}?search=nomatch&page=2"), 2, 0, 0, 0);
    }

    [SkippableFact]
    public async Task ContactsAreOrderedByIdAscending()
    {
        var company = await Data.CompanyAsync();
        var ids = new List<long>();
        // neither the names nor the dates are in id order, either way round
        foreach (var (name, day) in new[] { ("Mia", 20), ("Zoe", 28), ("Anna", 2) })
        {
            ids.Add(await Data.ContactAsync(company.Id, name, "X", created: new DateTime(2025, 1, day, 0, 0, 0, DateTimeKind.Utc)));
        }
        using var client = App.ClientWithKey(company.Key);

        var page = await ContractAssert.PageAsync(client, ContractAssert.ContactsPath);

        Assert.Equal(ids, ContractAssert.Ids(page));
        Assert.Equal(ids.Order(), ids);
    }

    [SkippableFact]
    public async Task PagesConcatenatedEqualTheFullList()
    {
        var (company, ids) = await CompanyWithContactsAsync(23);
        using var client = App.ClientWithKey(company.Key);

        var concatenated = new List<long>();
        for (var number = 1; number <= 5; number++)
        {
            var page = await ContractAssert.PageAsync(client, $"{ContractAssert.ContactsPath}?page={number}&limit=5");
            AssertEnvelope(page, number, 5, 23, number < 5 ? 5 : 3);
            concatenated.AddRange(ContractAssert.Ids(page));
        }

        Assert.Equal(ids, concatenated);
        Assert.Equal(ids, ContractAssert.Ids(await ContractAssert.PageAsync(client, $"{ContractAssert.ContactsPath}?limit=100")));
    }

    [SkippableFact]
    public async Task PagingIsStableWhileContactsAreAdded()
    {
        var (company, ids) = await CompanyWithContactsAsync(6);
        using var client = App.ClientWithKey(company.Key);

        var first = ContractAssert.Ids(await ContractAssert.PageAsync(client, $"{ContractAssert.ContactsPath}?page=1&limit=3"));
        var added = await Data.ContactAsync(company.Id, "Late", "Comer");
        var second = ContractAssert.Ids(await ContractAssert.PageAsync(client, $"{ContractAssert.ContactsPath}?page=2&limit=3"));
        var third = ContractAssert.Ids(await ContractAssert.PageAsync(client, $"{ContractAssert.ContactsPath}?page=3&limit=3"));

        Assert.Equal(ids, [.. first, .. second]);
        Assert.Equal([added], third);
    }

    [SkippableFact]
    public async Task TagsArePagedTheSameWayOrderedById()
    {
        var company = await Data.CompanyAsync();
        var ids = new List<long>();
        foreach (var name in new[] { "Zulu", "Yankee", "X-ray", "Whiskey", "Victor", "Uniform", "Tango" }) ids.Add(await Data.TagAsync(company.Id, name));
        using var client = App.ClientWithKey(company.Key);

        var defaults = await ContractAssert.PageAsync(client, ContractAssert.TagsPath);
        AssertEnvelope(defaults, 1, 1, 7, 7);
        Assert.Equal(ids, ContractAssert.Ids(defaults));

        var concatenated = new List<long>();
        for (var number = 1; number <= 3; number++)
        {
            var page = await ContractAssert.PageAsync(client, $"{ContractAssert.TagsPath}?page={number}&limit=3");
            AssertEnvelope(page, number, 3, 7, number < 3 ? 3 : 1);
            concatenated.AddRange(ContractAssert.Ids(page));
        }
        Assert.Equal(ids, concatenated);
        AssertEnvelope(await ContractAssert.PageAsync(client, $"{ContractAssert.TagsPath}?page=4&limit=3"), 4, 3, 7, 0);
        AssertEnvelope(await ContractAssert.PageAsync(client, $"{ContractAssert.TagsPath}?limit=7"), 1, 1, 7, 7);
        AssertEnvelope(await ContractAssert.PageAsync(client, $"{ContractAssert.TagsPath}?search=nothing"), 1, 0, 0, 0);
    }

    [SkippableTheory]
    [MemberData(nameof(ContractAssert.BothPaths), MemberType = typeof(ContractAssert))]
    public async Task SuccessIsUtf8JsonThatIsRevalidatedNeverSniffedAndNamesNoServer(string path)
    {
        var company = await Data.CompanyAsync();
        using var client = App.ClientWithKey(company.Key);

        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        ContractAssert.RevalidatedNotSniffedNoServer(response);
    }

    [SkippableFact]
    public async Task AbsentContactFieldsAreNullNotOmittedAndTagsAreEmpty()
    {
        var company = await Data.CompanyAsync();
        var id = await Data.ContactAsync(company.Id, phone: "5550100");
        using var client = App.ClientWithKey(company.Key);

        var contact = Assert.Single((await ContractAssert.PageAsync(client, ContractAssert.ContactsPath)).GetProperty("data").EnumerateArray());

        Assert.Equal(ContactKeys, contact.EnumerateObject().Select(p => p.Name));
        Assert.Equal(id.ToString(CultureInfo.InvariantCulture), contact.GetProperty("id").GetString());
        foreach (var key in new[] { "first_name", "last_name", "email", "phone_number_lid", "profile_picture" })
        {
            Assert.Equal(JsonValueKind.Null, contact.GetProperty(key).ValueKind);
        }
        Assert.Equal("5550100", contact.GetProperty("phone_number").GetString());
        Assert.Equal(JsonValueKind.Array, contact.GetProperty("tags").ValueKind);
        Assert.Equal(0, contact.GetProperty("tags").GetArrayLength());
    }

    [SkippableFact]
    public async Task ContactTagsAreOrderedByTagIdWithNullColours()
    {
        var company = await Data.CompanyAsync();
        var first = await Data.TagAsync(company.Id, "Zeta");
        var second = await Data.TagAsync(company.Id, "Alpha", "#000000");
        var third = await Data.TagAsync(company.Id, "Mu");
        await Data.ContactAsync(company.Id, "Jane", "Doe", tags: [third, first, second]);
        using var client = App.ClientWithKey(company.Key);

        var contact = Assert.Single((await ContractAssert.PageAsync(client, ContractAssert.ContactsPath)).GetProperty("data").EnumerateArray());

        var tags = contact.GetProperty("tags").EnumerateArray().ToList();
        Assert.Equal([first, second, third], tags.Select(t => long.Parse(t.GetProperty("id").GetString()!, CultureInfo.InvariantCulture)));
        Assert.All(tags, t => Assert.Equal(ContactTagKeys, t.EnumerateObject().Select(p => p.Name)));
        Assert.Equal(JsonValueKind.Null, tags[0].GetProperty("color").ValueKind);
        Assert.Equal("#000000", tags[1].GetProperty("color").GetString());
    }

    [SkippableFact]
    public async Task TimestampsAreUtcWithExactlyThreeFractionalDigits()
    {
        var company = await Data.CompanyAsync();
        await Data.ContactAsync(company.Id, "Jane", created: new DateTime(2025, 2, 3, 4, 5, 6, 789, DateTimeKind.Utc),
            updated: new DateTime(2025, 12, 31, 23, 59, 59, DateTimeKind.Utc));
        await Data.TagAsync(company.Id, "VIP", created: new DateTime(2024, 2, 29, 0, 0, 0, 10, DateTimeKind.Utc));
        using var client = App.ClientWithKey(company.Key);

        var contact = Assert.Single((await ContractAssert.PageAsync(client, ContractAssert.ContactsPath)).GetProperty("data").EnumerateArray());
        var tag = Assert.Single((await ContractAssert.PageAsync(client, ContractAssert.TagsPath)).GetProperty("data").EnumerateArray());

        Assert.Equal("2025-02-03T04:05:06.789Z", contact.GetProperty("created_at").GetString());
        Assert.Equal("2025-12-31T23:59:59.000Z", contact.GetProperty("updated_at").GetString());
        Assert.Equal("2024-02-29T00:00:00.010Z", tag.GetProperty("created_at").GetString());
    }

    [SkippableFact]
    public async Task TagsCountTheContactsCarryingThemAndNullColoursAreNull()
    {
        var company = await Data.CompanyAsync();
        var used = await Data.TagAsync(company.Id, "Used", "#123456");
        var unused = await Data.TagAsync(company.Id, "Unused");
        await Data.ContactAsync(company.Id, "A", tags: [used]);
        await Data.ContactAsync(company.Id, "B", tags: [used]);
        await Data.ContactAsync(company.Id, "C");
        using var client = App.ClientWithKey(company.Key);

        var tags = (await ContractAssert.PageAsync(client, ContractAssert.TagsPath)).GetProperty("data").EnumerateArray().ToList();

        Assert.Equal([used, unused], tags.Select(t => long.Parse(t.GetProperty("id").GetString()!, CultureInfo.InvariantCulture)));
        Assert.All(tags, t => Assert.Equal(TagKeys, t.EnumerateObject().Select(p => p.Name)));
        Assert.Equal(2, tags[0].GetProperty("_count").GetProperty("contact_tag").GetInt64());
        Assert.Equal(0, tags[1].GetProperty("_count").GetProperty("contact_tag").GetInt64());
        Assert.Equal(JsonValueKind.Null, tags[1].GetProperty("color").ValueKind);
    }

    [SkippableFact]
    public async Task IdsAreStringsThatKeepEvery64BitDigit()
    {
        var company = await Data.CompanyAsync();
        const long contactId = 9_007_199_254_740_993; // 2^53 + 1: a JSON number would lose it
        const long tagId = 9_007_199_254_740_995;
        var db = fixture.Database.Db;
        await using (var connection = await db.OpenAsync())
        {
            await using var tag = db.Command(connection, (db.Provider == DatabaseProvider.Postgres)
                ? "INSERT INTO tag (id, company_id, name, created_at) VALUES (@id, @company, 'Big', @created)"
                : "INSERT INTO tag (id, company_id, name, created_at, name_folded) VALUES (@id, @company, 'Big', @created, 'big')");
            ContactsDatabase.AddParameter(tag, "@id", tagId);
            ContactsDatabase.AddParameter(tag, "@company", company.Id);
            ContactsDatabase.AddParameter(tag, "@created", db.TimestampValue(DateTime.UtcNow));
            await tag.ExecuteNonQueryAsync();
            await using var contact = db.Command(connection,
                "INSERT INTO contact (id, company_id, first_name, created_at, updated_at) VALUES (@id, @company, 'Big', @created, @created)");
            ContactsDatabase.AddParameter(contact, "@id", contactId);
            ContactsDatabase.AddParameter(contact, "@company", company.Id);
            ContactsDatabase.AddParameter(contact, "@created", db.TimestampValue(DateTime.UtcNow));
            await contact.ExecuteNonQueryAsync();
        }
        await Data.TagContactAsync(company.Id, contactId, tagId);
        using var client = App.ClientWithKey(company.Key);

        var contactJson = Assert.Single((await ContractAssert.PageAsync(client, ContractAssert.ContactsPath)).GetProperty("data").EnumerateArray());
        var tagJson = Assert.Single((await ContractAssert.PageAsync(client, ContractAssert.TagsPath)).GetProperty("data").EnumerateArray());

        Assert.Equal(JsonValueKind.String, contactJson.GetProperty("id").ValueKind);
        Assert.Equal("9007199254740993", contactJson.GetProperty("id").GetString());
        Assert.Equal("9007199254740995", Assert.Single(contactJson.GetProperty("tags").EnumerateArray()).GetProperty("id").GetString());
        Assert.Equal("9007199254740995", tagJson.GetProperty("id").GetString());
    }
}

public sealed class SqlitePagingTests(SqliteAppFixture fixture) : PagingTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class PostgresPagingTests(PostgresAppFixture fixture) : PagingTests(fixture), IClassFixture<PostgresAppFixture>;
