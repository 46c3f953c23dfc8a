using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Serialization;
using Contacts.Data;
using Contacts.Data.Replication;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Contacts.Operations;

/// <summary>Bound from the "Health" section, validated at start.</summary>
public sealed class HealthOptions
{
    /// <summary>How long the readiness probe waits for the database before answering 503.</summary>
    [Range(0.001, 300, ErrorMessage = "Health:ReadyTimeoutSeconds must be between {1} and {2}.")]
    public double ReadyTimeoutSeconds { get; set; } = 2;
}

/// <summary>/health/live (the process answers) and /health/ready (the database answers a query) for load balancers.</summary>
public static class Health
{
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";
    private const string ReadyTag = "ready";
    private const string DatabaseCheck = "database";

    public static IServiceCollection AddContactsHealthChecks(this IServiceCollection services)
    {
        services.AddOptions<HealthOptions>().BindConfiguration("Health").ValidateSettings();
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
        return JsonSerializer.SerializeAsync(http.Response.Body, body, HealthJsonContext.Default.HealthResponse, http.RequestAborted);
    }
}

/// <summary>
/// One cheap statement that reads no row: the database answers, has our schema, and lets the service read its main table
/// (a non-owner service role, docs/isolation.md, may not read schema_migration).
/// </summary>
internal sealed class DatabaseHealthCheck(ContactsDatabase db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var probe = ProbeAsync(cancellationToken);
        try
        {
            // Npgsql does not give up a connection attempt to a host that accepts but never answers when cancelled;
            // the probe is abandoned instead (it ends, and closes its connection, at the driver's own timeout).
            await probe.WaitAsync(cancellationToken);
            if (db.Replicas is not { } replicas) return HealthCheckResult.Healthy($"{db.Provider} answers");
            // Reads are served; a node that is not is worth an operator's look (Degraded still answers 200).
            var allUp = replicas.Nodes.All(n => n.Status.State == NodeState.Up);
            return new HealthCheckResult(allUp ? HealthStatus.Healthy : HealthStatus.Degraded,
                $"{db.Provider} answers reads", data: Nodes(replicas));
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"{db.Provider} does not answer", e,
                db.Replicas is { } replicas ? Nodes(replicas) : null);
        }
        finally
        {
            _ = probe.ContinueWith(static t => t.Exception, TaskContinuationOptions.OnlyOnFaulted);
        }
    }

    // Through the read path: with standbys, ready while any node serves reads (a down primary or standby is skipped).
    private static Dictionary<string, object> Nodes(ReplicaSet replicas) =>
        replicas.Nodes.ToDictionary(n => n.Name, object (n) => n.Describe());

    private Task<object?> ProbeAsync(CancellationToken ct) =>
        db.ReadAsync(async (connection, ct) =>
        {
            await using var command = db.Command(connection, "SELECT 1 FROM contact LIMIT 0");
            return await command.ExecuteScalarAsync(ct);
        }, ct: ct);
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
