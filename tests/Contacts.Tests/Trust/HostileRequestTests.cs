using System.Net;
using System.Text;
using Contacts.Tests.Infrastructure;

namespace Contacts.Tests.Trust;

/// <summary>
/// Bodies on GET are never read (Kestrel refuses to drain more than 1 KB), and the server's own refusals leak no
/// Server header. The timeout bounds a hang; it is not a speed assertion.
/// </summary>
public abstract class HostileRequestTests(AppFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private TestData Data => fixture.Data;

    private Uri Address => fixture.App.Address;

    [SkippableTheory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task GetWithAHugeDeclaredBodyIsAnsweredWithoutWaitingForTheBody(bool closeAfter)
    {
        var company = await Data.CompanyAsync();
        await Data.ContactAsync(company.Id, "Body", email: "body@x.test");
        var head = $"GET /api/v1/contacts HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {company.Key}\r\n" +
                   $"Content-Length: 100000000\r\n{(closeAfter ? "Connection: close\r\n" : "")}\r\n";
        byte[] request = [.. Encoding.ASCII.GetBytes(head), .. new byte[4096]];

        var response = await RawHttp.SendAsync(Address, request, Timeout);

        Assert.Null(response.Failure);
        Assert.Equal(200, response.Status);
        await AssertStillServingAsync(company);
    }

    [SkippableTheory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task GetWithAnEndlessChunkedBodyIsAnsweredWithoutWaitingForTheBody(bool withKey)
    {
        var company = await Data.CompanyAsync();
        var head = "GET /api/v1/contacts/tags HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n" +
                   (withKey ? $"Authorization: Bearer {company.Key}\r\n" : "") + "\r\n";
        // Chunks well past the 1 KB limit and no terminating chunk: a server that read the body would wait forever.
        var chunk = Encoding.ASCII.GetBytes("2000\r\n" + new string('x', 0x2000) + "\r\n");
        byte[] request = [.. Encoding.ASCII.GetBytes(head), .. Enumerable.Repeat(chunk, 8).SelectMany(c => c)];

        var response = await RawHttp.SendAsync(Address, request, Timeout);

        Assert.Null(response.Failure);
        Assert.Equal(withKey ? 200 : 401, response.Status);
        await AssertStillServingAsync(company);
    }

    [SkippableFact]
    public async Task SmallBodyOnGetIsIgnored()
    {
        var company = await Data.CompanyAsync();
        await Data.ContactAsync(company.Id, "Ignored", email: "ignored@x.test");
        var body = "{\"search\":\"nobody\",\"page\":99}"u8.ToArray();
        var request = RawHttp.Request("GET", "/api/v1/contacts"u8.ToArray(),
            [Encoding.ASCII.GetBytes("Authorization: Bearer " + company.Key), Encoding.ASCII.GetBytes("Content-Length: " + body.Length),
             "Content-Type: application/json"u8.ToArray()], body);

        var response = await RawHttp.SendAsync(Address, request, Timeout);

        Assert.Equal(200, response.Status);
        Assert.True(response.BodyLength > 0);
    }

    [SkippableTheory]
    [InlineData("request line with raw invalid UTF-8", 400)]
    [InlineData("request line over 8 KB", 414)]
    [InlineData("headers over 32 KB", 431)]
    public async Task RefusalsByTheHttpServerCarryNoServerHeaderAndNoBody(string what, int status)
    {
        var company = await Data.CompanyAsync();
        var auth = Encoding.ASCII.GetBytes("Authorization: Bearer " + company.Key);
        var request = status switch
        {
            400 => RawHttp.Request("GET", [.. "/api/v1/contacts?search="u8, 0xC3, 0x28], [auth]),
            414 => RawHttp.Request("GET", Encoding.ASCII.GetBytes("/api/v1/contacts?search=" + new string('a', 9000)), [auth]),
            _ => RawHttp.Request("GET", "/api/v1/contacts"u8.ToArray(), [auth, Encoding.ASCII.GetBytes("X-Big: " + new string('b', 33 * 1024))]),
        };

        var response = await RawHttp.SendAsync(Address, request, Timeout);

        Assert.True(response.Status == status, $"{what}: {response.Status}");
        Assert.Null(response.Header("Server"));
        // Nothing to sniff: Kestrel answers these before any middleware, with an empty body.
        Assert.Equal("0", response.Header("Content-Length"));
        await AssertStillServingAsync(company);
    }

    [SkippableTheory]
    [InlineData("GET", "/api/v1/contacts", null, 401)]
    [InlineData("GET", "/api/v1/contacts?page=0", "key", 400)]
    [InlineData("DELETE", "/api/v1/contacts", null, 405)]
    [InlineData("GET", "/nothing", null, 404)]
    [InlineData("GET", "/api/v1/contacts", "key", 200)]
    public async Task ApplicationAnswersSayNosniffAndCarryNoServerHeader(string method, string path, string? key, int status)
    {
        var company = await Data.CompanyAsync();
        var headers = key is null ? Array.Empty<byte[]>() : [Encoding.ASCII.GetBytes("Authorization: Bearer " + company.Key)];

        var response = await RawHttp.SendAsync(Address, RawHttp.Request(method, Encoding.ASCII.GetBytes(path), headers), Timeout);

        Assert.Equal(status, response.Status);
        Assert.Equal("nosniff", response.Header("X-Content-Type-Options"));
        Assert.Null(response.Header("Server"));
    }

    private async Task AssertStillServingAsync(TestCompany company)
    {
        using var client = fixture.App.ClientWithKey(company.Key);
        using var response = await client.GetAsync(new Uri("/api/v1/contacts", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}

public sealed class SqliteHostileRequestTests(SqliteAppFixture fixture) : HostileRequestTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class PostgresHostileRequestTests(PostgresAppFixture fixture) : HostileRequestTests(fixture), IClassFixture<PostgresAppFixture>;
