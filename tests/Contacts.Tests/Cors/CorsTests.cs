using System.Net;
using Contacts.Tests.Infrastructure;

namespace Contacts.Tests.Cors;

/// <summary>
/// The CORS contract as headers: with Api:Cors:AllowedOrigins set, a listed origin's preflight is answered (GET,
/// Authorization) and its answers expose the headers a client reads; an unlisted origin, or no setting, changes
/// nothing (OPTIONS stays a 405, no Access-Control-* header).
/// </summary>
public sealed class CorsTests(CorsTests.Fixture fixture) : IClassFixture<CorsTests.Fixture>
{
    private const string Allowed = "https://app.example.com";

    public sealed class Fixture : SqliteAppFixture
    {
        // Written as an operator might (upper case, a trailing slash): the browser sends https://app.example.com.
        protected override string[] Settings => ["--Api:Cors:AllowedOrigins:0=HTTPS://App.Example.com/", "--Api:Cors:AllowedOrigins:1=http://localhost:3000"];
    }

    [Fact]
    public async Task PreflightFromAnAllowedOriginIsAnsweredForGetWithAuthorization()
    {
        using var response = await fixture.App.Client.SendAsync(Preflight(Allowed));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(Allowed, Header(response, "Access-Control-Allow-Origin"));
        Assert.Equal("GET", Header(response, "Access-Control-Allow-Methods"));
        Assert.Contains("authorization", Header(response, "Access-Control-Allow-Headers")!.ToLowerInvariant().Split(','), StringComparer.Ordinal);
        Assert.Equal("600", Header(response, "Access-Control-Max-Age"));
        Assert.Contains("Origin", response.Headers.Vary);
    }

    [Fact]
    public async Task PreflightFromAnOriginNotListedIsTheUsual405()
    {
        using var response = await fixture.App.Client.SendAsync(Preflight("https://evil.example.com"));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Null(Header(response, "Access-Control-Allow-Origin"));
        Assert.Null(Header(response, "Access-Control-Allow-Methods"));
    }

    [Fact]
    public async Task AnswerToAnAllowedOriginExposesTheHeadersAClientReads()
    {
        var company = await fixture.Data.CompanyAsync();

        using var response = await GetContactsAsync("http://localhost:3000", company.Key);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("http://localhost:3000", Header(response, "Access-Control-Allow-Origin"));
        Assert.Equal(["Link", "ETag", "X-Request-Id", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "Retry-After"],
            Header(response, "Access-Control-Expose-Headers")!.Split(','));
        Assert.Null(Header(response, "Access-Control-Allow-Credentials"));
    }

    [Fact]
    public async Task UnauthorizedAnswerToAnAllowedOriginIsReadableByThePage()
    {
        using var response = await GetContactsAsync(Allowed, key: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(Allowed, Header(response, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task AnswerToAnOriginNotListedHasNoCorsHeaders()
    {
        var company = await fixture.Data.CompanyAsync();

        using var response = await GetContactsAsync("https://app.example.com.evil.test", company.Key);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(Header(response, "Access-Control-Allow-Origin"));
        Assert.Null(Header(response, "Access-Control-Expose-Headers"));
    }

    private async Task<HttpResponseMessage> GetContactsAsync(string origin, string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/contacts");
        request.Headers.Add("Origin", origin);
        if (key is not null) request.Headers.Authorization = new("Bearer", key);
        return await fixture.App.Client.SendAsync(request);
    }

    private static HttpRequestMessage Preflight(string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/api/v1/contacts?limit=1");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "GET");
        request.Headers.Add("Access-Control-Request-Headers", "authorization");
        return request;
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values) ? string.Join(",", values) : null;
}

/// <summary>Without the setting, CORS does not exist: a preflight is a 405 and no answer carries Access-Control-* headers.</summary>
public sealed class CorsOffByDefaultTests(SqliteAppFixture fixture) : IClassFixture<SqliteAppFixture>
{
    [Fact]
    public async Task PreflightWithoutAllowedOriginsIsThe405OfAnyMethodButGet()
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, "/api/v1/contacts");
        request.Headers.Add("Origin", "https://app.example.com");
        request.Headers.Add("Access-Control-Request-Method", "GET");

        using var response = await fixture.App.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }
}
