using System.Diagnostics;
using System.Net;
using Contacts.Tests.Infrastructure;

namespace Contacts.Tests.Api;

/// <summary>
/// Every response names its request in X-Request-Id: the request's W3C trace id, the same value as an error's traceId
/// and the request log's, taken from an incoming traceparent when there is one.
/// </summary>
public abstract class RequestIdTests(AppFixture fixture)
{
    private const string Header = "X-Request-Id";

    protected TestData Data => fixture.Data;

    protected TestApp App => fixture.App;

    public static TheoryData<string, bool, HttpStatusCode> Answers => new()
    {
        { "/api/v1/contacts", true, HttpStatusCode.OK },
        { "/api/v1/contacts/{id}", true, HttpStatusCode.OK },
        { "/api/v1/contacts/tags", true, HttpStatusCode.OK },
        { "/api/v1/contacts/changes", true, HttpStatusCode.OK },
        { "/api/v1/contacts?page=0", true, HttpStatusCode.BadRequest },
        { "/api/v1/contacts/x", true, HttpStatusCode.BadRequest },
        { "/api/v1/contacts", false, HttpStatusCode.Unauthorized },
        { "/api/v1/contacts/{id}", false, HttpStatusCode.Unauthorized },
        { "/api/v1/contacts/9223372036854775807", true, HttpStatusCode.NotFound },
        { "/api/v1/contacts/42/unknown", true, HttpStatusCode.NotFound },
        { "/nowhere", false, HttpStatusCode.NotFound },
        { "/health/live", false, HttpStatusCode.OK },
        { "/openapi/v1.json", false, HttpStatusCode.OK },
    };

    [SkippableTheory]
    [MemberData(nameof(Answers))]
    public async Task EveryResponseCarriesTheRequestsTraceIdAsItsRequestId(string url, bool withKey, HttpStatusCode status)
    {
        var (client, path) = await ClientAndPathAsync(url, withKey);
        using (client)
        {
            using var first = await client.GetAsync(new Uri(path, UriKind.Relative));
            using var second = await client.GetAsync(new Uri(path, UriKind.Relative));

            Assert.Equal(status, first.StatusCode);
            var id = RequestId(first);
            Assert.Matches("^[0-9a-f]{32}$", id);
            Assert.NotEqual(new string('0', 32), id);
            Assert.NotEqual(id, RequestId(second));
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Answers))]
    public async Task AnIncomingTraceparentsTraceIdIsTheRequestId(string url, bool withKey, HttpStatusCode status)
    {
        var (client, path) = await ClientAndPathAsync(url, withKey);
        using (client)
        {
            var traceId = ActivityTraceId.CreateRandom().ToHexString();
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
            request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");

            using var response = await client.SendAsync(request);

            Assert.Equal(status, response.StatusCode);
            Assert.Equal(traceId, RequestId(response));
        }
    }

    [SkippableTheory]
    [InlineData("/api/v1/contacts?limit=0", true, HttpStatusCode.BadRequest)]
    [InlineData("/api/v1/contacts/0", true, HttpStatusCode.BadRequest)]
    [InlineData("/api/v1/contacts", false, HttpStatusCode.Unauthorized)]
    [InlineData("/api/v1/contacts/9223372036854775807", true, HttpStatusCode.NotFound)]
    [InlineData("/api/v1/contacts/42/unknown", true, HttpStatusCode.NotFound)]
    public async Task OnAnErrorTheRequestIdIsTheProblemsTraceId(string url, bool withKey, HttpStatusCode status)
    {
        var (client, path) = await ClientAndPathAsync(url, withKey);
        using (client)
        {
            using var response = await client.GetAsync(new Uri(path, UriKind.Relative));

            var problem = await ContractAssert.ProblemAsync(response, status);
            Assert.Equal(problem.GetProperty("traceId").GetString(), RequestId(response));
        }
    }

    [SkippableTheory]
    [InlineData("traceparent", "garbage")]
    [InlineData("traceparent", "00-00000000000000000000000000000000-0000000000000000-01")]
    [InlineData("Request-Id", "|abc.1.")]
    [InlineData("X-Request-Id", "mine")]
    public async Task AMalformedTraceparentOrAnotherIdHeaderGetsAFreshW3CTraceId(string name, string value)
    {
        var (client, path) = await ClientAndPathAsync("/api/v1/contacts", withKey: true);
        using (client)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
            request.Headers.TryAddWithoutValidation(name, value);

            using var response = await client.SendAsync(request);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Matches("^[0-9a-f]{32}$", RequestId(response));
            Assert.NotEqual(new string('0', 32), RequestId(response));
        }
    }

    [SkippableFact]
    public async Task AMethodNotAllowedCarriesItToo()
    {
        Ci.SkipIf(fixture.SkipReason is not null, fixture.SkipReason);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(ContractAssert.ContactsPath, UriKind.Relative));

        using var response = await App.Client.SendAsync(request);

        var problem = await ContractAssert.ProblemAsync(response, HttpStatusCode.MethodNotAllowed);
        Assert.Equal(problem.GetProperty("traceId").GetString(), RequestId(response));
    }

    private async Task<(HttpClient Client, string Path)> ClientAndPathAsync(string url, bool withKey)
    {
        var company = await Data.CompanyAsync();
        var contact = await Data.ContactAsync(company.Id, "Jane", "Doe");
        var client = withKey ? App.ClientWithKey(company.Key) : new HttpClient { BaseAddress = App.Address };
        return (client, url.Replace("{id}", contact.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
    }

    private static string RequestId(HttpResponseMessage response)
    {
        Assert.True(response.Headers.TryGetValues(Header, out var values), $"{(int)response.StatusCode} without {Header}");
        return Assert.Single(values);
    }
}

public sealed class SqliteRequestIdTests(SqliteAppFixture fixture) : RequestIdTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class PostgresRequestIdTests(PostgresAppFixture fixture) : RequestIdTests(fixture), IClassFixture<PostgresAppFixture>;
