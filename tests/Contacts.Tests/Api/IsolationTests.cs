using System.Text.Json;
using Contacts.Tests.Infrastructure;

namespace Contacts.Tests.Api;

/// <summary>A key sees its own company's contacts, tags and counts, and nothing else, with or without search.</summary>
public abstract class IsolationTests(AppFixture fixture)
{
    protected TestData Data => fixture.Data;

    protected TestApp App => fixture.App;

    private sealed record Tenant(TestCompany Company, long Vip, List<long> Contacts);

    /// <summary>Two companies with the same names, tags and phones; only B has "Zebediah" and "Platinum".</summary>
    private async Task<(Tenant A, Tenant B)> TwoSimilarCompaniesAsync()
    {
        var a = await TenantAsync(extra: false);
        var b = await TenantAsync(extra: true);
        return (a, b);
    }

    private async Task<Tenant> TenantAsync(bool extra)
    {
        var company = await Data.CompanyAsync();
        var vip = await Data.TagAsync(company.Id, "VIP", "#1156d6");
        var contacts = new List<long>
        {
            await Data.ContactAsync(company.Id, "Jane", "Doe", "jane@example.com", "1234567890", tags: [vip]),
            await Data.ContactAsync(company.Id, "José", "García", "jose@example.com", "+34 600 000 000"),
        };
        if (extra)
        {
            var platinum = await Data.TagAsync(company.Id, "Platinum");
            contacts.Add(await Data.ContactAsync(company.Id, "Zebediah", "Doe", "zeb@example.com", "5550001", tags: [vip, platinum]));
            contacts.Add(await Data.ContactAsync(company.Id, "Mary", "Major", tags: [vip, platinum]));
        }
        return new Tenant(company, vip, contacts);
    }

    private async Task<JsonElement> PageAsync(Tenant tenant, string url)
    {
        using var client = App.ClientWithKey(tenant.Company.Key);
        return await ContractAssert.PageAsync(client, url);
    }

    private static long Total(JsonElement page) => page.GetProperty("totalRecords").GetInt64();

    [SkippableFact]
    public async Task CompaniesNeverSeeEachOthersContacts()
    {
        var (a, b) = await TwoSimilarCompaniesAsync();

        var pageA = await PageAsync(a, $"{ContractAssert.ContactsPath}?limit=100");
        var pageB = await PageAsync(b, $"{ContractAssert.ContactsPath}?limit=100");

        Assert.Equal(a.Contacts, ContractAssert.Ids(pageA));
        Assert.Equal(2, Total(pageA));
        Assert.Equal(b.Contacts, ContractAssert.Ids(pageB));
        Assert.Equal(4, Total(pageB));
    }

    [SkippableFact]
    public async Task CompaniesNeverSeeEachOthersTagsOrTheirContactsInTagCounts()
    {
        var (a, b) = await TwoSimilarCompaniesAsync();

        var tagsA = await PageAsync(a, ContractAssert.TagsPath);
        var tagsB = await PageAsync(b, ContractAssert.TagsPath);

        var vipA = Assert.Single(tagsA.GetProperty("data").EnumerateArray());
        Assert.Equal(a.Vip.ToString(System.Globalization.CultureInfo.InvariantCulture), vipA.GetProperty("id").GetString());
        Assert.Equal(1, vipA.GetProperty("_count").GetProperty("contact_tag").GetInt64());
        Assert.Equal(2, Total(tagsB));
        var vipB = tagsB.GetProperty("data")[0];
        Assert.Equal(b.Vip.ToString(System.Globalization.CultureInfo.InvariantCulture), vipB.GetProperty("id").GetString());
        Assert.Equal(3, vipB.GetProperty("_count").GetProperty("contact_tag").GetInt64());
    }

    [SkippableFact]
    public async Task ContactTagsAreTheCallersOwn()
    {
        var (a, b) = await TwoSimilarCompaniesAsync();

        var janeA = (await PageAsync(a, ContractAssert.ContactsPath)).GetProperty("data")[0];
        var janeB = (await PageAsync(b, ContractAssert.ContactsPath)).GetProperty("data")[0];

        Assert.Equal(a.Vip.ToString(System.Globalization.CultureInfo.InvariantCulture), Assert.Single(janeA.GetProperty("tags").EnumerateArray()).GetProperty("id").GetString());
        Assert.Equal(b.Vip.ToString(System.Globalization.CultureInfo.InvariantCulture), Assert.Single(janeB.GetProperty("tags").EnumerateArray()).GetProperty("id").GetString());
    }

    [SkippableFact]
    public async Task SearchFindsOnlyTheCallersContacts()
    {
        var (a, b) = await TwoSimilarCompaniesAsync();

        foreach (var term in new[] { "jane", "DOE", "jose", "@example.com", "234-567", "vip" })
        {
            var inA = ContractAssert.Ids(await PageAsync(a, ContractAssert.Search(ContractAssert.ContactsPath, term)));
            var inB = ContractAssert.Ids(await PageAsync(b, ContractAssert.Search(ContractAssert.ContactsPath, term)));
            Assert.NotEmpty(inA);
            Assert.All(inA, id => Assert.Contains(id, a.Contacts));
            Assert.All(inB, id => Assert.Contains(id, b.Contacts));
        }
    }

    [SkippableTheory]
    [InlineData("Zebediah")]
    [InlineData("zeb@")]
    [InlineData("5550001")]
    [InlineData("555-0001")]
    [InlineData("platinum")]
    [InlineData("Major")]
    public async Task SearchForATermOnlyAnotherCompanyHasFindsNothing(string term)
    {
        var (a, b) = await TwoSimilarCompaniesAsync();

        Assert.Equal(0, Total(await PageAsync(a, ContractAssert.Search(ContractAssert.ContactsPath, term))));
        Assert.NotEqual(0, Total(await PageAsync(b, ContractAssert.Search(ContractAssert.ContactsPath, term))));
    }

    [SkippableFact]
    public async Task TagSearchFindsOnlyTheCallersTags()
    {
        var (a, b) = await TwoSimilarCompaniesAsync();

        Assert.Equal(0, Total(await PageAsync(a, ContractAssert.Search(ContractAssert.TagsPath, "plat"))));
        Assert.Equal(1, Total(await PageAsync(b, ContractAssert.Search(ContractAssert.TagsPath, "plat"))));
        Assert.Equal([a.Vip], ContractAssert.Ids(await PageAsync(a, ContractAssert.Search(ContractAssert.TagsPath, "vip"))));
        Assert.Equal([b.Vip], ContractAssert.Ids(await PageAsync(b, ContractAssert.Search(ContractAssert.TagsPath, "vip"))));
    }

    [SkippableFact]
    public async Task TagSharedByNameCountsAndFindsOnlyTheCallersContacts()
    {
        var (a, b) = await TwoSimilarCompaniesAsync();

        var vipContactsA = ContractAssert.Ids(await PageAsync(a, ContractAssert.Search(ContractAssert.ContactsPath, "VIP")));
        var vipContactsB = ContractAssert.Ids(await PageAsync(b, ContractAssert.Search(ContractAssert.ContactsPath, "VIP")));
        var tagA = Assert.Single((await PageAsync(a, ContractAssert.Search(ContractAssert.TagsPath, "VIP"))).GetProperty("data").EnumerateArray());

        Assert.Equal([a.Contacts[0]], vipContactsA);
        Assert.Equal([b.Contacts[0], b.Contacts[2], b.Contacts[3]], vipContactsB);
        Assert.Equal(1, tagA.GetProperty("_count").GetProperty("contact_tag").GetInt64());
    }

    [SkippableFact]
    public async Task PagingTotalsAreTheCallersOwn()
    {
        var (a, b) = await TwoSimilarCompaniesAsync();

        var pageA = await PageAsync(a, $"{ContractAssert.ContactsPath}?limit=1&page=3");
        var pageB = await PageAsync(b, $"{ContractAssert.ContactsPath}?limit=1&page=3");

        Assert.Equal(2, pageA.GetProperty("totalPages").GetInt64());
        Assert.Empty(ContractAssert.Ids(pageA));
        Assert.Equal(4, pageB.GetProperty("totalPages").GetInt64());
        Assert.Equal([b.Contacts[2]], ContractAssert.Ids(pageB));
    }
}

public sealed class SqliteIsolationTests(SqliteAppFixture fixture) : IsolationTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class PostgresIsolationTests(PostgresAppFixture fixture) : IsolationTests(fixture), IClassFixture<PostgresAppFixture>;
