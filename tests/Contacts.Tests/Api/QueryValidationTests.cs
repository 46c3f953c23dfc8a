using System.Net;
using System.Text.Json;
using Contacts.Tests.Infrastructure;

namespace Contacts.Tests.Api;

/// <summary>page, limit and search: a bad value is a 400 naming the parameter and the rule; unknown parameters are ignored.</summary>
public abstract class QueryValidationTests(AppFixture fixture)
{
    protected TestData Data => fixture.Data;

    protected TestApp App => fixture.App;

    private static readonly string[] NotAnIntegerAtLeastOne = ["abc", "1.5", "-1", "0", "", "+1", "99999999999", "1e2", "0x10", " 1", "١"];

    public static TheoryData<string, string, string> InvalidIntegers()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var path in new[] { ContractAssert.ContactsPath, ContractAssert.TagsPath })
        {
            foreach (var parameter in new[] { "page", "limit" })
            {
                foreach (var value in NotAnIntegerAtLeastOne) data.Add(path, parameter, value);
            }
        }
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(InvalidIntegers), MemberType = typeof(QueryValidationTests))]
    public async Task PageOrLimitThatIsNotAnIntegerFromOneIsRejectedNamingTheParameter(string path, string parameter, string value)
    {
        var problem = await RejectedAsync($"{path}?{parameter}={Uri.EscapeDataString(value)}", parameter);
        Assert.Contains("integer", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [SkippableTheory]
    [MemberData(nameof(ContractAssert.BothPaths), MemberType = typeof(ContractAssert))]
    public async Task LimitAboveTheMaximumIsRejectedNamingTheParameter(string path)
    {
        var problem = await RejectedAsync($"{path}?limit=101", "limit");
        Assert.Contains("100", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [SkippableTheory]
    [MemberData(nameof(ContractAssert.BothPaths), MemberType = typeof(ContractAssert))]
    public async Task LimitAtTheMaximumIsAccepted(string path)
    {
        var company = await Data.CompanyAsync();
        using var client = App.ClientWithKey(company.Key);
        await ContractAssert.PageAsync(client, $"{path}?limit=100");
    }

    [SkippableTheory]
    [InlineData(ContractAssert.ContactsPath, "page", "page=1&page=1")]
    [InlineData(ContractAssert.ContactsPath, "limit", "limit=10&limit=20")]
    [InlineData(ContractAssert.ContactsPath, "search", "search=a&search=b")]
    [InlineData(ContractAssert.TagsPath, "page", "page=1&page=2")]
    [InlineData(ContractAssert.TagsPath, "limit", "limit=5&limit=5")]
    [InlineData(ContractAssert.TagsPath, "search", "search=vip&search=vip")]
    public async Task ParameterGivenTwiceIsRejectedNamingTheParameter(string path, string parameter, string query)
    {
        await RejectedAsync($"{path}?{query}", parameter);
    }

    [SkippableFact]
    public async Task EveryInvalidParameterIsNamed()
    {
        var problem = await RejectedAsync($"{ContractAssert.ContactsPath}?page=0&limit=x&search={new string('a', 201)}", "page");
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("limit", out _));
        Assert.True(errors.TryGetProperty("search", out _));
    }

    [SkippableFact]
    public async Task InvalidPagingAndInvalidFiltersAreNamedTogetherInOneAnswer()
    {
        var problem = await RejectedAsync($"{ContractAssert.ContactsPath}?limit=0&tag_id=x&updated_since=soon&page=1&page=2", "tag_id");
        Assert.Equal(["page", "limit", "updated_since", "tag_id"], problem.GetProperty("errors").EnumerateObject().Select(e => e.Name));
        Assert.Equal("page must be given at most once. limit must be an integer between 1 and 100. " +
                     "updated_since must be an ISO-8601 timestamp such as 2025-09-15T08:30:00.000Z. " +
                     "tag_id must be a positive integer (repeat it for several tags).", problem.GetProperty("detail").GetString());
    }

    [SkippableTheory]
    [MemberData(nameof(ContractAssert.BothPaths), MemberType = typeof(ContractAssert))]
    public async Task SearchLongerThan200CharactersIsRejectedNamingTheParameter(string path)
    {
        var problem = await RejectedAsync(ContractAssert.Search(path, new string('a', 201)), "search");
        Assert.Contains("200", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await RejectedAsync(ContractAssert.Search(path, new string('é', 201)), "search");
    }

    [SkippableTheory]
    [MemberData(nameof(ContractAssert.BothPaths), MemberType = typeof(ContractAssert))]
    public async Task SearchOf200CharactersIsAcceptedWhateverTheirEncodedSize(string path)
    {
        var company = await Data.CompanyAsync();
        using var client = App.ClientWithKey(company.Key);
        foreach (var term in new[] { new string('a', 200), new string('é', 200), string.Concat(Enumerable.Repeat("😀", 200)), "  " + new string('a', 200) + "  " })
        {
            var page = await ContractAssert.PageAsync(client, ContractAssert.Search(path, term));
            Assert.Equal(0, page.GetProperty("totalRecords").GetInt64());
        }
    }

    [SkippableTheory]
    [InlineData(ContractAssert.ContactsPath, "a%00b")]
    [InlineData(ContractAssert.ContactsPath, "a%07b")]
    [InlineData(ContractAssert.ContactsPath, "jane%0Adoe")]
    [InlineData(ContractAssert.ContactsPath, "a%7Fb")]
    [InlineData(ContractAssert.TagsPath, "a%1Fb")]
    [InlineData(ContractAssert.TagsPath, "a%C2%85b")]
    public async Task SearchWithAControlCharacterIsRejectedNamingTheParameter(string path, string encodedTerm)
    {
        await RejectedAsync($"{path}?search={encodedTerm}", "search");
    }

    [SkippableTheory]
    [MemberData(nameof(ContractAssert.BothPaths), MemberType = typeof(ContractAssert))]
    public async Task UnknownParametersAreIgnored(string path)
    {
        var company = await Data.CompanyAsync();
        await Data.TagAsync(company.Id, "VIP");
        await Data.ContactAsync(company.Id, "Jane", "Doe");
        using var client = App.ClientWithKey(company.Key);

        var page = await ContractAssert.PageAsync(client, $"{path}?sort=desc&filter=%00&offset=abc&offset=1&pageSize=1000&q=zzz");

        Assert.Equal(1, page.GetProperty("totalRecords").GetInt64());
        Assert.Equal(1, page.GetProperty("currentPage").GetInt32());
    }

    [SkippableTheory]
    [InlineData(ContractAssert.ContactsPath, "")]
    [InlineData(ContractAssert.ContactsPath, "   ")]
    [InlineData(ContractAssert.ContactsPath, " \t\n ")]
    [InlineData(ContractAssert.TagsPath, "")]
    [InlineData(ContractAssert.TagsPath, "   ")]
    public async Task EmptyOrWhitespaceSearchMeansNoFilter(string path, string term)
    {
        var company = await Data.CompanyAsync();
        var vip = await Data.TagAsync(company.Id, "VIP");
        await Data.TagAsync(company.Id, "Lead");
        await Data.ContactAsync(company.Id, "Jane", "Doe", tags: [vip]);
        await Data.ContactAsync(company.Id, "John", "Smith");
        using var client = App.ClientWithKey(company.Key);

        var page = await ContractAssert.PageAsync(client, $"{path}?search={Uri.EscapeDataString(term)}");

        Assert.Equal(2, page.GetProperty("totalRecords").GetInt64());
    }

    private async Task<JsonElement> RejectedAsync(string url, string parameter)
    {
        var company = await Data.CompanyAsync();
        using var client = App.ClientWithKey(company.Key);
        using var response = await client.GetAsync(new Uri(url, UriKind.Relative));
        var problem = await ContractAssert.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(parameter, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.True(problem.GetProperty("errors").TryGetProperty(parameter, out _), $"errors does not name {parameter}");
        return problem;
    }
}

public sealed class SqliteQueryValidationTests(SqliteAppFixture fixture) : QueryValidationTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class PostgresQueryValidationTests(PostgresAppFixture fixture) : QueryValidationTests(fixture), IClassFixture<PostgresAppFixture>;

/// <summary>Api:MaxLimit is the configured maximum of limit.</summary>
public abstract class ConfiguredMaxLimitTests(AppFixture fixture)
{
    protected TestData Data => fixture.Data;

    protected TestApp App => fixture.App;

    [SkippableTheory]
    [MemberData(nameof(ContractAssert.BothPaths), MemberType = typeof(ContractAssert))]
    public async Task LimitAboveAConfiguredMaximumIsRejectedNamingTheParameterAndTheMaximum(string path)
    {
        var company = await Data.CompanyAsync();
        using var client = App.ClientWithKey(company.Key);

        using var response = await client.GetAsync(new Uri($"{path}?limit=6", UriKind.Relative));

        var problem = await ContractAssert.ProblemAsync(response, HttpStatusCode.BadRequest);
        var detail = problem.GetProperty("detail").GetString();
        Assert.Contains("limit", detail, StringComparison.Ordinal);
        Assert.Contains("5", detail, StringComparison.Ordinal);
        await ContractAssert.PageAsync(client, $"{path}?limit=5");
    }

    [SkippableFact]
    public async Task DefaultLimitNeverExceedsAConfiguredMaximumBelowTen()
    {
        var company = await Data.CompanyAsync();
        for (var i = 0; i < 7; i++) await Data.ContactAsync(company.Id, "Contact", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var client = App.ClientWithKey(company.Key);

        var page = await ContractAssert.PageAsync(client, ContractAssert.ContactsPath);

        Assert.Equal(5, page.GetProperty("data").GetArrayLength());
        Assert.Equal(2, page.GetProperty("totalPages").GetInt64());
        Assert.Equal(7, page.GetProperty("totalRecords").GetInt64());
    }
}

public class SqliteMaxLimitFiveFixture : SqliteAppFixture
{
    protected override string[] Settings => ["--Api:MaxLimit=5"];
}

public class PostgresMaxLimitFiveFixture : PostgresAppFixture
{
    protected override string[] Settings => ["--Api:MaxLimit=5"];
}

public sealed class SqliteConfiguredMaxLimitTests(SqliteMaxLimitFiveFixture fixture) : ConfiguredMaxLimitTests(fixture), IClassFixture<SqliteMaxLimitFiveFixture>;

public sealed class PostgresConfiguredMaxLimitTests(PostgresMaxLimitFiveFixture fixture) : ConfiguredMaxLimitTests(fixture), IClassFixture<PostgresMaxLimitFiveFixture>;
