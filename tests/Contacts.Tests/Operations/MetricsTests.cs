using System.Net;
using Contacts.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Contacts.Tests.Operations;

/// <summary>
/// Prometheus scrapes /metrics without a key: request counts per route and status (the count of
/// http.server.request.duration), runtime metrics, the database client's metrics and our statement counter.
/// </summary>
public abstract class MetricsTests(AppFixture fixture)
{
    private AppFixture Fixture
    {
        get
        {
            Ci.SkipIf(fixture.SkipReason is not null, fixture.SkipReason);
            return fixture;
        }
    }

    /// <summary>Metric names only the provider's own driver publishes (Npgsql's db.client.*; Microsoft.Data.Sqlite has none).</summary>
    protected abstract string[] DriverMetrics { get; }

    [SkippableFact]
    public async Task ScrapeCountsContactsRequestsByRouteAndStatusWithRuntimeAndDatabaseMetrics()
    {
        var company = await Fixture.Data.CompanyAsync();
        using (var client = Fixture.App.ClientWithKey(company.Key))
        {
            using var ok = await client.GetAsync(new Uri("/api/v1/contacts?search=ann", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }
        using (var unauthorized = await Fixture.App.Client.GetAsync(new Uri("/api/v1/contacts/tags", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        }

        var text = await MetricsAssert.ScrapeUntilAsync(Fixture.App.Client, "/metrics",
            MetricsAssert.RequestCount("/api/v1/contacts/", 200), MetricsAssert.RequestCount("/api/v1/contacts/tags", 401));

        Assert.Contains("# TYPE http_server_request_duration_seconds histogram", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE contacts_db_commands_total counter", text, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^contacts_db_commands_total\{[^}]*\} [1-9]", text);
        foreach (var runtime in new[] { "dotnet_gc_collections_total", "dotnet_process_memory_working_set_bytes", "dotnet_thread_pool_thread_count" })
            Assert.Contains(runtime, text, StringComparison.Ordinal);
        foreach (var driver in DriverMetrics) Assert.Contains(driver, text, StringComparison.Ordinal);
        Assert.DoesNotContain("search=", text, StringComparison.Ordinal);
    }
}

public sealed class SqliteMetricsTests(SqliteAppFixture fixture) : MetricsTests(fixture), IClassFixture<SqliteAppFixture>
{
    protected override string[] DriverMetrics => [];
}

public sealed class PostgresMetricsTests(PostgresAppFixture fixture) : MetricsTests(fixture), IClassFixture<PostgresAppFixture>
{
    protected override string[] DriverMetrics => ["db_client_operation_duration_seconds", "db_client_connection_count"];

    /// <summary>
    /// Npgsql labels its series with the connection string and the server's address unless told otherwise: not ours.
    /// The service runs in a process of its own, so that only its connections are on its /metrics.
    /// </summary>
    [SkippableFact]
    public async Task NoSeriesNamesTheDatabasesHostPortNameOrUser()
    {
        var company = await fixture.Data.CompanyAsync();
        var (service, address) = await Trust.ContactsProcess.ServeAsync(TimeSpan.FromSeconds(60),
            "--Database:Provider=postgres", $"--ConnectionStrings:Contacts={fixture.Database.ConnectionString}", "--Logging:LogLevel:Default=Warning");
        await using var serviceLifetime = service;
        using var client = new HttpClient { BaseAddress = address };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", company.Key);
        (await client.GetAsync(new Uri("/api/v1/contacts", UriKind.Relative))).EnsureSuccessStatusCode();
        var text = await MetricsAssert.ScrapeUntilAsync(client, "/metrics", "db_client_operation_duration_seconds");
        var connection = new Npgsql.NpgsqlConnectionStringBuilder(fixture.Database.ConnectionString);
        var labels = Labels(text);
        // Kestrel's own server_address is the service's listening address; Npgsql's was the database's.
        var npgsql = Labels(string.Join("\n", text.Split('\n').Where(line => line.Contains("otel_scope_name=\"Npgsql\"", StringComparison.Ordinal))));

        Assert.NotEmpty(npgsql);
        Assert.DoesNotContain(npgsql, l => l.Key is "server_address" or "server_port" or "db_namespace" or "db_user");
        Assert.DoesNotContain(labels, l => l.Value.Contains(connection.Database!, StringComparison.Ordinal)
                                           || l.Value.Contains("Host=", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(npgsql, l => l.Value == connection.Host || l.Value == connection.Username);
        Assert.Contains(labels, l => l is { Key: "db_client_connection_pool_name", Value: "primary" });
    }

    private static List<(string Key, string Value)> Labels(string text) =>
        System.Text.RegularExpressions.Regex.Matches(text, "(\\w+)=\"([^\"]*)\"").Select(m => (m.Groups[1].Value, m.Groups[2].Value)).ToList();
}

/// <summary>The scrape path is configurable and the endpoint can be switched off.</summary>
public sealed class MetricsSettingsTests
{
    [Fact]
    public async Task PrometheusPathSettingMovesTheScrapeEndpoint()
    {
        await using var database = await TestDatabase.SqliteAsync();
        await using var app = await TestApp.StartAsync(database, "--Metrics:PrometheusPath=/internal/prometheus");

        var text = await MetricsAssert.ScrapeUntilAsync(app.Client, "/internal/prometheus", "# TYPE http_server_request_duration_seconds histogram");

        Assert.Contains("contacts_db_commands_total", text, StringComparison.Ordinal);
        using var old = await app.Client.GetAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, old.StatusCode);
    }

    [Fact]
    public async Task DisabledMetricsHaveNoScrapeEndpoint()
    {
        await using var database = await TestDatabase.SqliteAsync();
        await using var app = await TestApp.StartAsync(database, "--Metrics:Enabled=false");
        using (var live = await app.Client.GetAsync(new Uri("/health/live", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }

        using var response = await app.Client.GetAsync(new Uri("/metrics", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}

internal static class MetricsAssert
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    /// <summary>The count series of http.server.request.duration for one route template and status, as exported.</summary>
    public static string RequestCount(string route, int status) =>
        $"http_server_request_duration_seconds_count{{otel_scope_name=\"Microsoft.AspNetCore.Hosting\",http_request_method=\"GET\",http_response_status_code=\"{status}\",http_route=\"{route}\"";

    /// <summary>
    /// Scrapes until every expected text is there: the server records a request's duration after the client has its
    /// response, and the exporter caches a scrape briefly.
    /// </summary>
    public static async Task<string> ScrapeUntilAsync(HttpClient client, string path, params string[] expected)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (true)
        {
            using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
            var text = await response.Content.ReadAsStringAsync();
            var missing = expected.Where(e => !text.Contains(e, StringComparison.Ordinal)).ToList();
            if (missing.Count == 0) return text;
            Assert.True(DateTime.UtcNow < deadline, $"not in {path} within {Bound.TotalSeconds} s: {string.Join(", ", missing)}\n{text}");
            await Task.Delay(200);
        }
    }
}

/// <summary>With Metrics:Port the scrape endpoint answers only on that listener, whatever Host header a client sends elsewhere.</summary>
public sealed class MetricsPortTests
{
    [Fact]
    public async Task ScrapeEndpointAnswersOnlyOnTheMetricsPort()
    {
        // The metrics listener is a socket this test binds to port 0 and hands to Kestrel as it is: the port is known
        // before the service starts (Metrics:Port needs it) and never free in between for another process to take.
        using var metricsSocket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork,
            System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        metricsSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        metricsSocket.Listen();
        var port = ((IPEndPoint)metricsSocket.LocalEndPoint!).Port;
        await using var database = await TestDatabase.SqliteAsync();
        await using var app = await TestApp.StartAsync(database, builder => builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0);
            kestrel.ListenHandle((ulong)metricsSocket.SafeHandle.DangerousGetHandle());
        }), $"--Metrics:Port={port}");
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        var publicAddress = new Uri(addresses.Single(a => new Uri(a).Port != port));
        using var metricsClient = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        using var publicClient = new HttpClient { BaseAddress = publicAddress };

        await MetricsAssert.ScrapeUntilAsync(metricsClient, "/metrics", "# TYPE http_server_request_duration_seconds histogram");

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/metrics", UriKind.Relative));
        request.Headers.Host = $"127.0.0.1:{port}";
        using var elsewhere = await publicClient.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotFound, elsewhere.StatusCode);
        using var live = await publicClient.GetAsync(new Uri("/health/live", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }
}
