using System.Net;
using System.Net.Sockets;
using Contacts.Data;
using Contacts.Tests.Infrastructure;
using Microsoft.Extensions.Options;
using static Contacts.Tests.Api.ContractAssert;

namespace Contacts.Tests.Trust;

/// <summary>
/// Token buckets per key and, for failed authentication, per client address. Every test starts its own service so
/// its buckets start full, and refills at one token per 1000 s so that nothing comes back while a test runs.
/// </summary>
public abstract class RateLimitTests(AppFixture fixture)
{
    private TestData Data => fixture.Data;

    private Task<TestApp> StartAsync(int perKey = 1000, int perAddress = 1000, params string[] more) => TestApp.StartAsync(fixture.Database,
    [
        $"--RateLimits:PerKey:BucketSize={perKey}", "--RateLimits:PerKey:PermitsPerSecond=0.001",
        $"--RateLimits:FailedAuthPerAddress:BucketSize={perAddress}", "--RateLimits:FailedAuthPerAddress:PermitsPerSecond=0.001",
        .. more,
    ]);

    [SkippableFact]
    public async Task KeyOverItsBucketIsAnswered429WithRetryAfterAndRateLimitHeaders()
    {
        var company = await Data.CompanyAsync();
        await using var app = await StartAsync(perKey: 3);
        using var client = app.ClientWithKey(company.Key);

        for (var remaining = 2; remaining >= 0; remaining--)
        {
            using var ok = await client.GetAsync(new Uri(remaining == 1 ? TagsPath : ContactsPath, UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            AssertRateLimit(ok, limit: 3, remaining);
        }

        using var over = await client.GetAsync(new Uri(ContactsPath, UriKind.Relative));
        var problem = await ProblemAsync(over, HttpStatusCode.TooManyRequests);
        Assert.Contains("Retry-After", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        // One token per 1000 s: the next request is served in 1000 s, and RateLimit-Reset says the same moment (not when the bucket is full).
        Assert.Equal(TimeSpan.FromSeconds(1000), over.Headers.RetryAfter?.Delta);
        Assert.Equal("3", Header(over, "RateLimit-Limit"));
        Assert.Equal("0", Header(over, "RateLimit-Remaining"));
        Assert.Equal("1000", Header(over, "RateLimit-Reset"));
        Assert.Equal("nosniff", Header(over, "X-Content-Type-Options"));
        Assert.Equal("no-store", Header(over, "Cache-Control"));
        Assert.False(over.Headers.Contains("Server"));

        using var tags = await client.GetAsync(new Uri(TagsPath, UriKind.Relative));
        Assert.Equal(HttpStatusCode.TooManyRequests, tags.StatusCode);
    }

    [SkippableFact]
    public async Task AnotherKeyOfTheSameCompanyHasItsOwnBucket()
    {
        var company = await Data.CompanyAsync();
        var second = await KeyQueries.CreateAsync(fixture.Database.Db, company.Id, "second job");
        await using var app = await StartAsync(perKey: 2);
        using var first = app.ClientWithKey(company.Key);
        for (var i = 0; i < 2; i++) (await first.GetAsync(new Uri(ContactsPath, UriKind.Relative))).Dispose();
        using (var drained = await first.GetAsync(new Uri(ContactsPath, UriKind.Relative)))
            Assert.Equal(HttpStatusCode.TooManyRequests, drained.StatusCode);

        using var other = app.ClientWithKey(second.Key);
        using var response = await other.GetAsync(new Uri(ContactsPath, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertRateLimit(response, limit: 2, remaining: 1);
    }

    [SkippableFact]
    public async Task FailedAuthenticationIsLimitedPerAddressWhileCachedValidKeysKeepWorking()
    {
        var company = await Data.CompanyAsync();
        var unused = await KeyQueries.CreateAsync(fixture.Database.Db, company.Id, "not used yet");
        await using var app = await StartAsync(perAddress: 3);
        using (var warm = await GetAsync(app.Client, ContactsPath, "Bearer " + company.Key))
            AssertRateLimit(warm, limit: 1000, remaining: 999);
        string?[] attempts = [null, "Bearer not-a-key", "Bearer ck_0123456789ab_" + new string('0', 64)];
        for (var i = 0; i < attempts.Length; i++)
        {
            using var refused = await GetAsync(app.Client, ContactsPath, attempts[i]);
            await ProblemAsync(refused, HttpStatusCode.Unauthorized);
            AssertRateLimit(refused, limit: 3, remaining: 2 - i);
        }

        using var limited = await GetAsync(app.Client, TagsPath, "Bearer not-a-key-either");
        var problem = await ProblemAsync(limited, HttpStatusCode.TooManyRequests);
        Assert.Contains("authentication", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(1000), limited.Headers.RetryAfter?.Delta);
        Assert.Equal("1000", Header(limited, "RateLimit-Reset"));

        // The same address with a valid key it has used (so cached) draws from the key's bucket, not the address's.
        using var valid = await GetAsync(app.Client, ContactsPath, "Bearer " + company.Key);
        Assert.Equal(HttpStatusCode.OK, valid.StatusCode);
        AssertRateLimit(valid, limit: 1000, remaining: 998);

        // A key the service has not seen is not even looked up from an address without failed authentications left.
        using var notLookedUp = await GetAsync(app.Client, ContactsPath, "Bearer " + unused.Key);
        Assert.Equal(HttpStatusCode.TooManyRequests, notLookedUp.StatusCode);

        // Another client address has its own bucket.
        using var elsewhere = ClientFrom(app, IPAddress.Parse("127.0.0.2"));
        using var otherAddress = await GetAsync(elsewhere, ContactsPath, "Bearer not-a-key");
        await ProblemAsync(otherAddress, HttpStatusCode.Unauthorized);
        AssertRateLimit(otherAddress, limit: 3, remaining: 2);
    }

    // X-Forwarded-For is the client's to choose: trusted by default, it would hand every attempt a fresh bucket.
    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task FailedAuthenticationIsCountedByTheConnectionsAddressUnlessForwardedHeadersAreTurnedOn(bool forwardedHeaders)
    {
        await using var app = await StartAsync(perAddress: 2, more: forwardedHeaders ? ["--FORWARDEDHEADERS_ENABLED=true"] : []);
        var statuses = new List<HttpStatusCode>();
        for (var i = 1; i <= 4; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(ContactsPath, UriKind.Relative));
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer not-a-key");
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", $"198.51.100.{i}");
            using var response = await app.Client.SendAsync(request);
            statuses.Add(response.StatusCode);
        }

        HttpStatusCode[] expected = forwardedHeaders
            ? [HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized]
            : [HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests];
        Assert.Equal(expected, statuses);
    }

    [SkippableFact]
    public async Task RateLimitHeadersArePresentUnderTheLimitOnEveryApiAnswer()
    {
        var company = await Data.CompanyAsync();
        await using var app = await StartAsync(perKey: 10, perAddress: 5);
        using var client = app.ClientWithKey(company.Key);

        using var contacts = await client.GetAsync(new Uri(ContactsPath, UriKind.Relative));
        using var tags = await client.GetAsync(new Uri(TagsPath, UriKind.Relative));
        using var invalid = await client.GetAsync(new Uri(ContactsPath + "?page=0", UriKind.Relative));
        using var unauthorized = await app.Client.GetAsync(new Uri(ContactsPath, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, contacts.StatusCode);
        AssertRateLimit(contacts, limit: 10, remaining: 9);
        AssertRateLimit(tags, limit: 10, remaining: 8);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        AssertRateLimit(invalid, limit: 10, remaining: 7);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        AssertRateLimit(unauthorized, limit: 5, remaining: 4);
    }

    [SkippableFact]
    public async Task DisabledMeansNoRateLimitHeadersAndNo429()
    {
        var company = await Data.CompanyAsync();
        await using var app = await StartAsync(perKey: 1, perAddress: 1, "--RateLimits:Enabled=false");
        using var client = app.ClientWithKey(company.Key);

        for (var i = 0; i < 5; i++)
        {
            using var ok = await client.GetAsync(new Uri(ContactsPath, UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Null(Header(ok, "RateLimit-Limit"));
            using var refused = await app.Client.GetAsync(new Uri(ContactsPath, UriKind.Relative));
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Null(Header(refused, "RateLimit-Remaining"));
        }
    }

    [SkippableFact]
    public async Task MethodNotAllowedComesBeforeTheRateLimit()
    {
        var company = await Data.CompanyAsync();
        await using var app = await StartAsync(perKey: 1, perAddress: 1);
        (await GetAsync(app.Client, ContactsPath, "Bearer " + company.Key)).Dispose();
        (await GetAsync(app.Client, ContactsPath, null)).Dispose();
        using (var drained = await GetAsync(app.Client, ContactsPath, "Bearer " + company.Key))
            Assert.Equal(HttpStatusCode.TooManyRequests, drained.StatusCode);
        using (var drained = await GetAsync(app.Client, ContactsPath, null))
            Assert.Equal(HttpStatusCode.TooManyRequests, drained.StatusCode);

        foreach (var authorization in new[] { null, "Bearer " + company.Key, "Bearer not-a-key" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(ContactsPath, UriKind.Relative));
            if (authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", authorization);
            using var response = await app.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
            Assert.Null(Header(response, "RateLimit-Limit"));
        }
    }

    [SkippableTheory]
    [InlineData("/")]
    [InlineData("/nothing")]
    [InlineData("/health")]
    [InlineData("/metrics")]
    public async Task PathsOutsideTheApiAreNeverLimited(string path)
    {
        await Data.CompanyAsync();
        await using var app = await StartAsync(perAddress: 1);
        (await GetAsync(app.Client, ContactsPath, null)).Dispose();
        using (var drained = await GetAsync(app.Client, ContactsPath, null))
            Assert.Equal(HttpStatusCode.TooManyRequests, drained.StatusCode);

        for (var i = 0; i < 3; i++)
        {
            using var response = await GetAsync(app.Client, path, null);
            Assert.NotEqual(HttpStatusCode.TooManyRequests, response.StatusCode);
            Assert.Null(Header(response, "RateLimit-Limit"));
        }
    }

    [SkippableTheory]
    [InlineData("--RateLimits:PerKey:PermitsPerSecond=0")]
    [InlineData("--RateLimits:PerKey:BucketSize=0")]
    [InlineData("--RateLimits:FailedAuthPerAddress:PermitsPerSecond=-1")]
    public async Task InvalidSettingsStopTheServiceAtStartup(string setting)
    {
        await Data.CompanyAsync();
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => TestApp.StartAsync(fixture.Database, setting));
        Assert.Contains("RateLimits", error.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task OpenApiDocumentDescribesTheRateLimitHeaders()
    {
        await Data.CompanyAsync();
        using var response = await fixture.App.Client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        using var document = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        var responses = document.RootElement.GetProperty("paths").GetProperty(ContactsPath).GetProperty("get").GetProperty("responses");
        foreach (var status in new[] { "200", "400", "401", "429" })
        {
            var headers = responses.GetProperty(status).GetProperty("headers");
            foreach (var header in new[] { "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset" })
                Assert.True(headers.TryGetProperty(header, out _), $"{status} lacks {header}");
        }
        Assert.True(responses.GetProperty("429").GetProperty("headers").TryGetProperty("Retry-After", out _));
    }

    private static void AssertRateLimit(HttpResponseMessage response, int limit, long remaining)
    {
        Assert.Equal(limit.ToString(System.Globalization.CultureInfo.InvariantCulture), Header(response, "RateLimit-Limit"));
        Assert.Equal(remaining.ToString(System.Globalization.CultureInfo.InvariantCulture), Header(response, "RateLimit-Remaining"));
        var reset = long.Parse(Header(response, "RateLimit-Reset") ?? "-1", System.Globalization.CultureInfo.InvariantCulture);
        // One token per 1000 s: the bucket is full again once every used token has come back.
        Assert.Equal((limit - remaining) * 1000, reset);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    private static async Task<HttpResponseMessage> GetAsync(HttpClient client, string path, string? authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        if (authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", authorization);
        return await client.SendAsync(request);
    }

    /// <summary>A client whose connections come from another loopback address, as a second machine's would.</summary>
    private static HttpClient ClientFrom(TestApp app, IPAddress source) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, ct) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(source, 0));
                await socket.ConnectAsync(context.DnsEndPoint, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    }) { BaseAddress = app.Address };
}

public sealed class SqliteRateLimitTests(SqliteAppFixture fixture) : RateLimitTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class PostgresRateLimitTests(PostgresAppFixture fixture) : RateLimitTests(fixture), IClassFixture<PostgresAppFixture>;
