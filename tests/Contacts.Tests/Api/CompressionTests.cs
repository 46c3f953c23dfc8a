using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using Contacts.Demo;
using Contacts.Data.Import;
using Contacts.Tests.Infrastructure;

namespace Contacts.Tests.Api;

/// <summary>
/// JSON answers are compressed with Brotli or gzip when the request's Accept-Encoding asks for one, and decompress to
/// exactly the bytes of the uncompressed answer; without Accept-Encoding nothing is compressed.
/// </summary>
public abstract class CompressionTests(AppFixture fixture)
{
    protected TestData Data => fixture.Data;

    protected TestApp App => fixture.App;

    /// <summary>A hundred of the generator's multilingual contacts with tags, like the demo's and the benchmark's.</summary>
    private async Task<TestCompany> HundredContactsAsync()
    {
        var company = await Data.CompanyAsync();
        var now = new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);
        await ContactImporter.ImportAsync(fixture.Database.Db, company.Id,
            ContactGenerator.Contacts(21, 100, ContactGenerator.Tags(21, 12), now), skipInvalid: false);
        return company;
    }

    private static async Task<(HttpResponseMessage Response, byte[] Body)> GetAsync(HttpClient client, string path, string? acceptEncoding)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        if (acceptEncoding is not null) request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
        var response = await client.SendAsync(request);
        return (response, await response.Content.ReadAsByteArrayAsync());
    }

    private static byte[] Decompress(string encoding, byte[] body)
    {
        using var input = new MemoryStream(body);
        using Stream decoder = encoding switch
        {
            "br" => new BrotliStream(input, CompressionMode.Decompress),
            "gzip" => new GZipStream(input, CompressionMode.Decompress),
            _ => throw new ArgumentException(encoding),
        };
        using var output = new MemoryStream();
        decoder.CopyTo(output);
        return output.ToArray();
    }

    [SkippableTheory]
    [InlineData("br", "br")]
    [InlineData("gzip", "gzip")]
    [InlineData("gzip, deflate, br", "br")]
    [InlineData("gzip;q=1.0, br;q=0.5", "gzip")]
    public async Task AHundredContactPageIsCompressedAsAskedAndDecompressesToTheSameJson(string acceptEncoding, string expected)
    {
        var company = await HundredContactsAsync();
        using var client = App.ClientWithKey(company.Key);
        const string page = "/api/v1/contacts?limit=100";

        var (plain, plainBody) = await GetAsync(client, page, null);
        var (compressed, compressedBody) = await GetAsync(client, page, acceptEncoding);
        using (plain)
        using (compressed)
        {
            Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
            Assert.Empty(plain.Content.Headers.ContentEncoding);
            Assert.Equal(100, ContractAssert.Ids(System.Text.Json.JsonDocument.Parse(plainBody).RootElement).Count);

            Assert.Equal(HttpStatusCode.OK, compressed.StatusCode);
            Assert.Equal([expected], compressed.Content.Headers.ContentEncoding);
            Assert.Contains("Accept-Encoding", compressed.Headers.Vary);
            Assert.Equal("application/json; charset=utf-8", compressed.Content.Headers.ContentType!.ToString());
            Assert.Equal(plainBody, Decompress(expected, compressedBody));
            Assert.True(compressedBody.Length * 3 < plainBody.Length, $"{expected}: {compressedBody.Length} of {plainBody.Length} bytes");
            // The other headers are those of the uncompressed answer.
            ContractAssert.RevalidatedNotSniffedNoServer(compressed);
            Assert.Equal(plain.Headers.ETag, compressed.Headers.ETag);
            Assert.Equal(plain.Headers.GetValues("Link"), compressed.Headers.GetValues("Link"));
            Assert.True(compressed.Headers.Contains("RateLimit-Limit"));
            Assert.True(compressed.Headers.Contains("X-Request-Id"));
        }
    }

    [SkippableFact]
    public async Task BrotliKeepsItsWindowAcrossWritesAndBeatsGzip()
    {
        // Brotli's quality 1 compresses each of the serializer's 4 KB writes on its own and came out larger than gzip (BrotliProvider).
        var company = await HundredContactsAsync();
        using var client = App.ClientWithKey(company.Key);

        var (br, brBody) = await GetAsync(client, "/api/v1/contacts?limit=100", "br");
        var (gzip, gzipBody) = await GetAsync(client, "/api/v1/contacts?limit=100", "gzip");
        using (br)
        using (gzip)
        {
            Assert.Equal(["br"], br.Content.Headers.ContentEncoding);
            Assert.Equal(["gzip"], gzip.Content.Headers.ContentEncoding);
            Assert.True(brBody.Length * 1.15 < gzipBody.Length, $"br {brBody.Length} bytes, gzip {gzipBody.Length}");
        }
    }

    [SkippableTheory]
    [InlineData(null)]
    [InlineData("identity")]
    [InlineData("deflate")]
    [InlineData("br;q=0, gzip;q=0")]
    public async Task WithoutAnAcceptedEncodingNothingIsCompressed(string? acceptEncoding)
    {
        var company = await HundredContactsAsync();
        using var client = App.ClientWithKey(company.Key);

        var (response, body) = await GetAsync(client, "/api/v1/contacts?limit=100", acceptEncoding);
        using (response)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Empty(response.Content.Headers.ContentEncoding);
            // A cache between client and server still learns that the answer depends on Accept-Encoding. (Without the
            // header the middleware stays out of the way; an identity answer is good for every client anyway.)
            if (acceptEncoding is not null) Assert.Contains("Accept-Encoding", response.Headers.Vary);
            Assert.Equal(100, ContractAssert.Ids(System.Text.Json.JsonDocument.Parse(body).RootElement).Count);
        }
    }

    [SkippableTheory]
    [InlineData("/api/v1/contacts/{id}")]
    [InlineData("/api/v1/contacts/tags")]
    [InlineData("/api/v1/contacts/changes?limit=100")]
    public async Task EveryJsonEndpointIsCompressedToo(string path)
    {
        var company = await HundredContactsAsync();
        using var client = App.ClientWithKey(company.Key);
        var first = ContractAssert.Ids(await ContractAssert.PageAsync(client, "/api/v1/contacts?limit=1"))[0];
        path = path.Replace("{id}", first.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

        var (plain, plainBody) = await GetAsync(client, path, null);
        var (compressed, compressedBody) = await GetAsync(client, path, "br");
        using (plain)
        using (compressed)
        {
            Assert.Equal(HttpStatusCode.OK, compressed.StatusCode);
            Assert.Equal(["br"], compressed.Content.Headers.ContentEncoding);
            if (!path.Contains("changes", StringComparison.Ordinal)) Assert.Equal(plainBody, Decompress("br", compressedBody));
            else Assert.StartsWith("{\"data\":[", System.Text.Encoding.UTF8.GetString(Decompress("br", compressedBody)), StringComparison.Ordinal);
        }
    }

    [SkippableFact]
    public async Task ProblemBodiesAreSentAsTheyAre()
    {
        var company = await Data.CompanyAsync();
        using var client = App.ClientWithKey(company.Key);
        using var anonymous = new HttpClient { BaseAddress = App.Address };

        foreach (var (http, path) in new[] { (client, "/api/v1/contacts?limit=0"), (anonymous, "/api/v1/contacts"), (client, "/api/v1/contacts/9223372036854775807") })
        {
            var (response, _) = await GetAsync(http, path, "br, gzip");
            using (response)
            {
                Assert.Empty(response.Content.Headers.ContentEncoding);
                await ContractAssert.ProblemAsync(response, response.StatusCode);
            }
        }
    }

    [SkippableFact]
    public async Task TheNetClientAsksForCompressionAndReadsIt()
    {
        var company = await HundredContactsAsync();
        using var client = Contacts.Client.ContactsClient.Create(App.Address, company.Key);

        var page = await client.GetContactsAsync(new Contacts.Client.ContactsQuery { Limit = 100 });

        Assert.Equal(100, page.Data.Count);
        Assert.Equal(100, page.TotalRecords);
    }

    [SkippableFact]
    public async Task ItCanBeTurnedOff()
    {
        Ci.SkipIf(fixture.SkipReason is not null, fixture.SkipReason);
        await using var app = await TestApp.StartAsync(fixture.Database, "--Api:ResponseCompression=false");
        var company = await HundredContactsAsync();
        using var client = app.ClientWithKey(company.Key);
        client.DefaultRequestHeaders.AcceptEncoding.Add(new StringWithQualityHeaderValue("br"));

        var (response, _) = await GetAsync(client, "/api/v1/contacts?limit=100", null);
        using (response)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Empty(response.Content.Headers.ContentEncoding);
        }
    }
}

public sealed class SqliteCompressionTests(SqliteAppFixture fixture) : CompressionTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class PostgresCompressionTests(PostgresAppFixture fixture) : CompressionTests(fixture), IClassFixture<PostgresAppFixture>;
