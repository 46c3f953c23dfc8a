using Contacts.Data;
using Microsoft.Extensions.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Contacts.Operations;

/// <summary>
/// OpenTelemetry metrics and traces: ASP.NET Core, the .NET runtime, Npgsql, our own statement counter and the feed's freshness,
/// scraped by Prometheus at Metrics:PrometheusPath and pushed over OTLP when an endpoint is configured.
/// </summary>
public static class Telemetry
{
    public const string ServiceName = "contacts";
    /// <summary>Npgsql 8+ publishes its metrics (db.client.*) and spans under this name.</summary>
    public const string NpgsqlSource = "Npgsql";

    public static IServiceCollection AddContactsTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettings<MetricsOptions>("Metrics");
        services.AddSettings<OpenTelemetryOptions, OpenTelemetryOptionsValidation>("OpenTelemetry");
        services.AddHostedService<FeedFreshness>();
        // Through IMetricsBuilder rather than AddMeter: this host's meter only (its IMeterFactory's), not another host's
        // of the same name in the same process, which AddMeter's process-wide listener would merge into this one's series.
        services.AddMetrics(builder => builder.EnableMetrics(FeedFreshness.MeterName));
        // Which exporters and views exist is decided while registering, before any options object does.
        var metrics = SettingsBinding.Peek<MetricsOptions>(configuration, "Metrics");
        var otlp = SettingsBinding.Peek<OpenTelemetryOptions>(configuration, "OpenTelemetry");
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource
                .AddService(ServiceName, serviceVersion: typeof(Telemetry).Assembly.GetName().Version?.ToString())
                .AddEnvironmentVariableDetector()) // OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES win over the defaults above
            .WithMetrics(meters =>
            {
                meters.AddAspNetCoreInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddMeter(NpgsqlSource, ContactsDatabase.Meter.Name);
                // Scrapes are often readable by more people than the database's address and names should be.
                if (!metrics.ConnectionLabels)
                    meters.AddView(instrument => instrument.Meter.Name == NpgsqlSource ? new MetricStreamConfiguration { TagKeys = NpgsqlLabels } : null);
                if (metrics.Enabled) meters.AddPrometheusExporter();
            })
            .WithTracing(traces => traces
                .AddAspNetCoreInstrumentation(options => options.Filter = http => !IsOperational(http.Request.Path, metrics))
                .AddSource(NpgsqlSource));

        if (otlp.Endpoint is { } endpoint)
        {
            telemetry.UseOtlpExporter(otlp.Protocol ?? OtlpExportProtocol.Grpc, endpoint);
        }
        else if (string.IsNullOrWhiteSpace(otlp.OtlpEndpoint) && !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            // The standard variables (endpoint, protocol, headers, per-signal endpoints) are read by the exporter itself.
            telemetry.UseOtlpExporter();
        }
        return services;
    }

    /// <summary>Npgsql's labels kept without Metrics:ConnectionLabels: the pool's name (ours, PostgresDialect.DataSource) and what is not an address.</summary>
    private static readonly string[] NpgsqlLabels =
        ["db.client.connection.pool.name", "db.client.connection.state", "db.system.name", "db.operation.name", "error.type"];

    /// <summary>The Prometheus scrape endpoint, when metrics are enabled.</summary>
    public static IEndpointRouteBuilder MapContactsMetrics(this IEndpointRouteBuilder app)
    {
        var metrics = app.ServiceProvider.GetRequiredService<IOptions<MetricsOptions>>().Value;
        if (!metrics.Enabled) return app;
        // Private by default: loopback only, or the operator's port or networks (docs/operations.md#metrics).
        Health.Operational(app.MapPrometheusScrapingEndpoint(metrics.PrometheusPath)).WithMetadata(EndpointAccessPolicy.For(metrics));
        return app;
    }

    // Probes and scrapes every few seconds would drown the traces that matter.
    private static bool IsOperational(PathString path, MetricsOptions metrics) =>
        path.StartsWithSegments("/health") || (metrics.Enabled && path.StartsWithSegments(metrics.PrometheusPath));
}
