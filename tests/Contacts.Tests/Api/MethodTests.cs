using System.Net;
using System.Text;
using Contacts.Tests.Infrastructure;

namespace Contacts.Tests.Api;

/// <summary>Only GET: every other method is a 405 with Allow: GET, checked before authentication.</summary>
public abstract class MethodTests(AppFixture fixture)
{
    protected TestData Data => fixture.Data;

    protected TestApp App => fixture.App;

    private static readonly string[] OtherMethods = ["POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "PURGE", "FOO"];

    public static TheoryData<string, string> MethodsAndPaths()
    {
        var data = new TheoryData<string, string>();
        foreach (var method in OtherMethods)
        {
            data.Add(method, ContractAssert.ContactsPath);
            data.Add(method, ContractAssert.TagsPath);
            data.Add(method, ContractAssert.ContactsPath + "/1");
        }
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(MethodsAndPaths), MemberType = typeof(MethodTests))]
    public async Task MethodOtherThanGetIsNotAllowedWithAllowGetWithoutAKey(string method, string path)
    {
        await Data.CompanyAsync();
        await AssertNotAllowedAsync(method, path, null);
    }

    [SkippableTheory]
    [MemberData(nameof(MethodsAndPaths), MemberType = typeof(MethodTests))]
    public async Task MethodOtherThanGetIsNotAllowedWithAllowGetWithAValidKey(string method, string path)
    {
        var company = await Data.CompanyAsync();
        await AssertNotAllowedAsync(method, path, "Bearer " + company.Key);
    }

    [SkippableTheory]
    [InlineData("POST", ContractAssert.ContactsPath)]
    [InlineData("DELETE", ContractAssert.TagsPath)]
    public async Task MethodIsCheckedBeforeAnInvalidKey(string method, string path)
    {
        await Data.CompanyAsync();
        await AssertNotAllowedAsync(method, path, "Bearer not-a-key");
    }

    [SkippableFact]
    public async Task MethodIsCheckedBeforeTheQuery()
    {
        var company = await Data.CompanyAsync();
        await AssertNotAllowedAsync("POST", ContractAssert.ContactsPath + "?page=abc&limit=0", "Bearer " + company.Key);
    }

    private async Task AssertNotAllowedAsync(string method, string path, string? authorization)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative));
        if (authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", authorization);
        if (method is "POST" or "PUT" or "PATCH") request.Content = new StringContent("{\"first_name\":\"Mallory\"}", Encoding.UTF8, "application/json");

        using var response = await App.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("GET", string.Join(", ", response.Content.Headers.Allow));
        if (method == "HEAD")
        {
            Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        }
        else
        {
            await ContractAssert.ProblemAsync(response, HttpStatusCode.MethodNotAllowed);
        }
    }
}

public sealed class SqliteMethodTests(SqliteAppFixture fixture) : MethodTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class PostgresMethodTests(PostgresAppFixture fixture) : MethodTests(fixture), IClassFixture<PostgresAppFixture>;
