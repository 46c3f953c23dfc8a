using System.Diagnostics;
using System.Net;
using Contacts.Data;
using Contacts.Operations;
using Contacts.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Contacts.Tests.Operations;

/// <summary>
/// One Information line per request with method, path, status, duration, key id and trace id; the query string
/// (search terms are personal data) and the key never reach the logs.
/// </summary>
public abstract class RequestLogTests : IAsyncLifetime
{
    private const string PersonalTerm = "Zoë Kowalczyk-Secret";
    private LoggedApp _logged = null!;

    public async Task InitializeAsync() => _logged = await LoggedApp.StartAsync(["--Logging:LogLevel:Default=Information", .. Settings]);

    protected abstract string[] Settings { get; }

    public Task DisposeAsync() => _logged.DisposeAsync().AsTask();

    [Theory]
    [InlineData("/api/v1/contacts?limit=5&search=", true, "/api/v1/contacts", 200)]
    [InlineData("/api/v1/contacts/tags?search=", true, "/api/v1/contacts/tags", 200)]
    [InlineData("/api/v1/contacts?search=", false, "/api/v1/contacts", 401)]
    [InlineData("/api/v1/contacts?page=abc&search=", true, "/api/v1/contacts", 400)]
    [InlineData("/nowhere?search=", true, "/nowhere", 404)]
    public async Task EachRequestIsOneLineWithMethodPathStatusDurationKeyIdAndTraceIdButNoQueryNorKey(
        string url, bool withKey, string path, int status)
    {
        var company = await new TestData(_logged.Database).CompanyAsync();
        Assert.True(ApiKeys.TryParse(company.Key, out var keyId));
        using var client = withKey ? _logged.App.ClientWithKey(company.Key) : new HttpClient { BaseAddress = _logged.App.Address };
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(url + Uri.EscapeDataString(PersonalTerm), UriKind.Relative));
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");

        using var response = await client.SendAsync(request);
        Assert.Equal((HttpStatusCode)status, response.StatusCode);

        var line = await OneRequestLineAsync(client, traceId);
        Assert.Equal(LogLevel.Information, line.Level);
        Assert.Equal("GET", line.Field("Method"));
        Assert.Equal(path, line.Field("Path"));
        Assert.Equal(status, line.Field("StatusCode"));
        Assert.InRange(Assert.IsType<double>(line.Field("DurationMs")), 0, double.MaxValue);
        // A path that is no endpoint never reads the key (a stranger's key costs no lookup there), so it logs none.
        Assert.Equal(withKey && path.StartsWith("/api/", StringComparison.Ordinal) ? keyId : "-", line.Field("KeyId"));
        Assert.Contains($"GET {path} ", line.Message, StringComparison.Ordinal);
        Assert.Contains($" {status} ", line.Message, StringComparison.Ordinal);
        Assert.Contains(traceId, line.Message, StringComparison.Ordinal);
        foreach (var entry in _logged.Entries)
        {
            Assert.DoesNotContain(PersonalTerm, entry.Text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(Uri.EscapeDataString(PersonalTerm), entry.Text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("search=", entry.Text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(company.Key[16..], entry.Text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("Bearer", entry.Text, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Theory]
    [InlineData("/api/v1/contacts", true, 200)]
    [InlineData("/api/v1/contacts?limit=0", true, 400)]
    [InlineData("/api/v1/contacts", false, 401)]
    [InlineData("/nowhere", false, 404)]
    public async Task TheResponsesRequestIdFindsItsLine(string url, bool withKey, int status)
    {
        var company = await new TestData(_logged.Database).CompanyAsync();
        using var client = withKey ? _logged.App.ClientWithKey(company.Key) : new HttpClient { BaseAddress = _logged.App.Address };

        using var response = await client.GetAsync(new Uri(url, UriKind.Relative));
        Assert.Equal((HttpStatusCode)status, response.StatusCode);
        var requestId = Assert.Single(response.Headers.GetValues("X-Request-Id"));

        var line = await OneRequestLineAsync(client, requestId);
        Assert.Equal(status, line.Field("StatusCode"));
    }

    /// <summary>
    /// The line is written once the response has gone out, so it may come a moment after the client has its answer. A
    /// second request on the same connection is the barrier for a duplicate: Kestrel finishes one request's pipeline
    /// before it reads the next from that connection, so once the second request's line is there, the first's are all in.
    /// </summary>
    private async Task<LogEntry> OneRequestLineAsync(HttpClient client, string traceId)
    {
        await LinesAsync(traceId);
        var barrier = ActivityTraceId.CreateRandom().ToHexString();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/health/live", UriKind.Relative));
        request.Headers.Add("traceparent", $"00-{barrier}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        using (var response = await client.SendAsync(request)) Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await LinesAsync(barrier);
        return Assert.Single(_logged.Entries, e => e.Category == RequestLogging.Category && Equals(e.Field("TraceId"), traceId));
    }

    private async Task LinesAsync(string traceId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!_logged.Entries.Any(e => e.Category == RequestLogging.Category && Equals(e.Field("TraceId"), traceId)))
        {
            Assert.True(DateTime.UtcNow < deadline, $"no request line with trace id {traceId} among:\n{string.Join("\n", _logged.Entries.Select(e => e.Text))}");
            await Task.Delay(50);
        }
    }
}

/// <summary>The shipped logging levels.</summary>
public sealed class DefaultRequestLogTests : RequestLogTests
{
    protected override string[] Settings => [];
}

/// <summary>
/// An operator who turns ASP.NET Core's own logs up to Information still gets no query strings: its per-request
/// "Request starting" lines (full URL) stay off, pinned in appsettings.json.
/// </summary>
public sealed class VerboseAspNetCoreRequestLogTests : RequestLogTests
{
    protected override string[] Settings => ["--Logging:LogLevel:Microsoft.AspNetCore=Information", "--Logging:LogLevel:Microsoft=Information"];
}
