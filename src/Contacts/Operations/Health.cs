using System.Text.Json;
using System.Text.Json.Serialization;
using Contacts.Data;
using Contacts.Data.Replication;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Contacts.Operations;

/// <summary>/health/live (the process answers) and /health/ready (the database answers a query) for load balancers.</summary>
public static class Health
{
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";
    private const string ReadyTag = "ready";
    private const string DatabaseCheck = "database";

    public static IServiceCollection AddContactsHealthChecks(this IServiceCollection services)
    {
        services.AddSettings<HealthOptions>("Health");
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ReadinessProbe>();
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>(DatabaseCheck, HealthStatus.Unhealthy, [ReadyTag]);
        services.AddOptions<HealthCheckServiceOptions>().Configure<IOptions<HealthOptions>>((checks, health) =>
        {
            foreach (var check in checks.Registrations.Where(r => r.Name == DatabaseCheck))
                check.Timeout = TimeSpan.FromSeconds(health.Value.ReadyTimeoutSeconds);
        });
        return services;
    }

    public static IEndpointRouteBuilder MapContactsHealthChecks(this IEndpointRouteBuilder app)
    {
        // Liveness runs no checks: a database outage must not make the orchestrator restart healthy processes.
        Operational(app.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync }));
        Operational(app.MapHealthChecks(ReadyPath, new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag), ResponseWriter = WriteAsync }));
        return app;
    }

    /// <summary>Probes and scrapes: no key, no rate limit, not part of the API description.</summary>
    internal static TBuilder Operational<TBuilder>(TBuilder endpoint) where TBuilder : IEndpointConventionBuilder =>
        endpoint.AllowAnonymous().DisableRateLimiting().ExcludeFromDescription();

    // Statuses and durations only: exception texts would tell a caller where the database lives.
    private static Task WriteAsync(HttpContext http, HealthReport report)
    {
        var body = new HealthResponse(report.Status.ToString(), report.TotalDuration.TotalMilliseconds,
            report.Entries.ToDictionary(e => e.Key, e => new HealthCheckResponse(e.Value.Status.ToString(), e.Value.Duration.TotalMilliseconds, e.Value.Description,
                e.Value.Data.Count == 0 ? null : e.Value.Data.ToDictionary(d => d.Key, d => d.Value.ToString() ?? ""))));
        http.Response.ContentType = "application/json";
        if (report.Status == HealthStatus.Unhealthy)
        {
            // A probe sooner than this gets the same cached answer.
            var reuse = http.RequestServices.GetRequiredService<IOptions<HealthOptions>>().Value.ReadyCacheSeconds;
            http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(reuse)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return JsonSerializer.SerializeAsync(http.Response.Body, body, HealthJsonContext.Default.HealthResponse, http.RequestAborted);
    }
}

/// <summary>The shared readiness check's answer, with each node's state when there are standbys.</summary>
internal sealed class DatabaseHealthCheck(ContactsDatabase db, ReadinessProbe probe) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (await probe.CheckAsync().WaitAsync(cancellationToken) is { } failure)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"{db.Provider} does not answer", failure,
                db.Replicas is { } nodes ? Nodes(nodes) : null);
        }
        if (db.Replicas is not { } replicas) return HealthCheckResult.Healthy($"{db.Provider} answers");
        // Reads are served; a node that is not is worth an operator's look (Degraded still answers 200).
        var allUp = replicas.Nodes.All(n => n.Status.State == NodeState.Up);
        return new HealthCheckResult(allUp ? HealthStatus.Healthy : HealthStatus.Degraded, $"{db.Provider} answers reads", data: Nodes(replicas));
    }

    // With standbys, ready while any node serves reads (a down primary or standby is skipped).
    private static Dictionary<string, object> Nodes(ReplicaSet replicas) =>
        replicas.Nodes.ToDictionary(n => n.Name, object (n) => n.Describe());
}

internal sealed record HealthResponse(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("durationMs")] double DurationMs,
    [property: JsonPropertyName("checks")] IReadOnlyDictionary<string, HealthCheckResponse> Checks);

internal sealed record HealthCheckResponse(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("durationMs")] double DurationMs,
    [property: JsonPropertyName("description")] string? Description,
    // With standbys: each node's state ("primary": "up", "replica-1": "lagging (12.3 s)").
    [property: JsonPropertyName("nodes"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, string>? Nodes);

[JsonSerializable(typeof(HealthResponse))]
internal sealed partial class HealthJsonContext : JsonSerializerContext;
