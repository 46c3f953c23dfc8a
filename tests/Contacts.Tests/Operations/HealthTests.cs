using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Contacts.Operations;
using Contacts.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Contacts.Tests.Operations;

/// <summary>Load balancers ask /health/live and /health/ready without a key and get JSON that is never cached.</summary>
public abstract class HealthTests(AppFixture fixture)
{
    private TestApp App => fixture.App;

    [SkippableFact]
    public async Task LiveAnswers200WithoutAKeyAndRunsNoChecks()
    {
        using var response = await App.Client.GetAsync(new Uri(Health.LivePath, UriKind.Relative));

        var body = await HealthAssert.JsonAsync(response, HttpStatusCode.OK);
        Assert.Equal("Healthy", body.GetProperty("status").GetString());
        Assert.Empty(body.GetProperty("checks").EnumerateObject());
    }

    [SkippableFact]
    public async Task ReadyAnswers200WithoutAKeyWhenTheDatabaseAnswers()
    {
        using var response = await App.Client.GetAsync(new Uri(Health.ReadyPath, UriKind.Relative));

        var body = await HealthAssert.JsonAsync(response, HttpStatusCode.OK);
        Assert.Equal("Healthy", body.GetProperty("status").GetString());
        Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
    }

    [SkippableFact]
    public async Task HealthAndMetricsPathsAreNotInTheOpenApiDocument()
    {
        using var response = await App.Client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        var paths = document.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();

        Assert.Contains("/api/v1/contacts", paths);
        Assert.DoesNotContain(paths, p => p.StartsWith("/health", StringComparison.Ordinal) || p.StartsWith("/metrics", StringComparison.Ordinal));
    }

    [SkippableFact]
    public void HealthAndMetricsEndpointsAreAnonymousUnlimitedAndNotInTheApiDescription()
    {
        var endpoints = App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();

        foreach (var path in new[] { Health.LivePath, Health.ReadyPath, "/metrics" })
        {
            var endpoint = Assert.Single(endpoints, e => e.RoutePattern.RawText == path);
            Assert.True(endpoint.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>()?.ExcludeFromDescription, path);
            Assert.NotNull(endpoint.Metadata.GetMetadata<DisableRateLimitingAttribute>());
            Assert.NotNull(endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAllowAnonymous>());
        }
    }
}

public sealed class SqliteHealthTests(SqliteAppFixture fixture) : HealthTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class PostgresHealthTests(PostgresAppFixture fixture) : HealthTests(fixture), IClassFixture<PostgresAppFixture>;

internal static class HealthAssert
{
    /// <summary>How long a probe may take at most in these tests: far above Health:ReadyTimeoutSeconds, far below the connect timeouts.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    /// <summary>Failed checks are logged at Error with their exception: expected here, noise in the test output.</summary>
    public const string QuietFailedChecks = "--Logging:LogLevel:Microsoft.Extensions.Diagnostics.HealthChecks=Critical";

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        if (status == HttpStatusCode.ServiceUnavailable)
            Assert.True(response.Headers.RetryAfter?.Delta is { TotalSeconds: >= 1 }, "a 503 from a probe without Retry-After");
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    /// <summary>Asks until the expected status comes, within the bound; in between only 200 or 503 are allowed.</summary>
    public static async Task<JsonElement> FirstAnswerAsync(HttpClient client, string path, HttpStatusCode expected)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (true)
        {
            using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
            if (response.StatusCode == expected) return await JsonAsync(response, expected);
            Assert.Contains(response.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable });
            Assert.True(DateTime.UtcNow < deadline, $"no {(int)expected} from {path} within {Bound.TotalSeconds} s");
            await Task.Delay(100);
        }
    }
}

/// <summary>
/// Readiness follows the database: 503 when PostgreSQL goes away (while liveness stays 200), 200 once it is back.
/// Uses its own server so that stopping it disturbs no other test.
/// </summary>
public sealed class PostgresReadinessTests
{
    [SkippableFact]
    public async Task ReadyAnswers503WhileTheDatabaseIsDownAnd200OnceItIsBackWhileLiveStays200()
    {
        var server = new PostgresServer();
        try
        {
            await server.InitializeAsync();
            Ci.SkipIf(server.UnavailableReason is not null, server.UnavailableReason);
            await using var database = await TestDatabase.PostgresAsync(server);
            await using var app = await TestApp.StartAsync(database, "--Health:ReadyTimeoutSeconds=1", HealthAssert.QuietFailedChecks);
            using var client = new HttpClient { BaseAddress = app.Address, Timeout = HealthAssert.Bound };
            await HealthAssert.FirstAnswerAsync(client, Health.ReadyPath, HttpStatusCode.OK);

            await server.StopAsync();
            var down = await HealthAssert.FirstAnswerAsync(client, Health.ReadyPath, HttpStatusCode.ServiceUnavailable);
            Assert.Equal("Unhealthy", down.GetProperty("status").GetString());
            var check = down.GetProperty("checks").GetProperty("database");
            Assert.Equal("Unhealthy", check.GetProperty("status").GetString());
            Assert.DoesNotContain("127.0.0.1", check.GetRawText(), StringComparison.Ordinal);
            await HealthAssert.FirstAnswerAsync(client, Health.LivePath, HttpStatusCode.OK);

            await server.StartAsync();
            await HealthAssert.FirstAnswerAsync(client, Health.ReadyPath, HttpStatusCode.OK);
        }
        finally
        {
            await server.DisposeAsync();
        }
    }
}

/// <summary>
/// A database host that accepts connections but never answers (a black-holed network): readiness gives up after
/// Health:ReadyTimeoutSeconds, long before the driver's own connect timeout, so the load balancer is not kept waiting.
/// </summary>
public sealed class SilentDatabaseReadinessTests
{
    [Fact]
    public async Task ReadyAnswers503WithinItsTimeoutWhenTheDatabaseNeverAnswers()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start(); // the kernel completes the handshake; nobody ever reads or writes
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        await using var database = TestDatabase.Unmigrated(Contacts.Data.DatabaseProvider.Postgres, $"Host=127.0.0.1;Port={port};Username=nobody;Database=none");
        await using var app = await TestApp.StartAsync(database, "--Database:MigrateOnStart=false",
            "--Database:ConnectTimeoutSeconds=60", "--Health:ReadyTimeoutSeconds=1", HealthAssert.QuietFailedChecks);
        using var client = new HttpClient { BaseAddress = app.Address, Timeout = HealthAssert.Bound };

        using var response = await client.GetAsync(new Uri(Health.ReadyPath, UriKind.Relative));

        var body = await HealthAssert.JsonAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.Equal("Unhealthy", body.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
        using var live = await client.GetAsync(new Uri(Health.LivePath, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }
}

/// <summary>The service connected as the non-owner role of docs/isolation.md (no rights on schema_migration or api_key) is ready.</summary>
public sealed class PostgresNonOwnerReadinessTests(Contacts.Tests.Trust.RowLevelSecurityFixture fixture) : IClassFixture<Contacts.Tests.Trust.RowLevelSecurityFixture>
{
    [SkippableFact]
    public async Task ReadyAnswers200ForTheServiceRoleThatOwnsNoTables()
    {
        Ci.SkipIf(fixture.SkipReason is not null, fixture.SkipReason);

        using var response = await fixture.App.Client.GetAsync(new Uri(Health.ReadyPath, UriKind.Relative));

        var body = await HealthAssert.JsonAsync(response, HttpStatusCode.OK);
        Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
    }
}
