using System.Text.Json;
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
