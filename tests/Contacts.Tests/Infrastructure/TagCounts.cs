using System.Globalization;
using static Contacts.Tests.Api.ContractAssert;

namespace Contacts.Tests.Infrastructure;

internal static class TagCounts
{
    /// <summary>The company's tags and their contact counts as the API shows them (GET /tags, one page of 100).</summary>
    public static async Task<Dictionary<long, long>> TagCountsAsync(this TestApp app, TestCompany company)
    {
        using var client = app.ClientWithKey(company.Key);
        var page = await PageAsync(client, TagsPath + "?limit=100");
        return page.GetProperty("data").EnumerateArray().ToDictionary(
            t => long.Parse(t.GetProperty("id").GetString()!, CultureInfo.InvariantCulture),
            t => t.GetProperty("_count").GetProperty("contact_tag").GetInt64());
    }
}
