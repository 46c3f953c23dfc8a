using System.ComponentModel.DataAnnotations;
using Contacts.Data;
using Microsoft.Extensions.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Contacts.Operations;

/// <summary>Bound from the "Metrics" section, validated at start.</summary>
public sealed class MetricsOptions
{
    /// <summary>Serve the Prometheus scrape endpoint.</summary>
    public bool Enabled { get; set; } = true;

    [RegularExpression("^/.*", ErrorMessage = "Metrics:PrometheusPath must start with '/'.")]
    public string PrometheusPath { get; set; } = "/metrics";

    /// <summary>When set, the scrape endpoint answers only on connections to this local port (which Kestrel must also listen on), from any client.</summary>
    [Range(1, 65_535, ErrorMessage = "Metrics:Port must be between {1} and {2}.")]
    public int? Port { get; set; }

    /// <summary>Without a port of its own, the scrape endpoint answers loopback clients only, unless this is true.</summary>
    public bool AllowRemote { get; set; }

    /// <summary>Networks whose clients may scrape besides loopback (when AllowRemote is false and no Port is set).</summary>
    [Networks("Metrics:AllowedNetworks")]
    public string[] AllowedNetworks { get; set; } = [];

    /// <summary>How often the feed's freshness and the oldest write transaction are sampled (PostgreSQL; docs/operations.md).</summary>
    [Range(0.1, 3_600, ErrorMessage = "Metrics:FreshnessSampleSeconds must be between {1} and {2}.")]
    public double FreshnessSampleSeconds { get; set; } = 5;

    /// <summary>
    /// Npgsql's series keep their server address and port labels (off: only the pool's name, "primary", "replica-1",
    /// "owner", never the connection's host, port, database or user).
    /// </summary>
    public bool ConnectionLabels { get; set; }
}

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
        services.AddOptions<MetricsOptions>().BindConfiguration("Metrics").ValidateSettings();
        services.AddHostedService<FeedFreshness>();
        // Through IMetricsBuilder rather than AddMeter: this host's meter only (its IMeterFactory's), not another host's
        // of the same name in the same process, which AddMeter's process-wide listener would merge into this one's series.
        services.AddMetrics(builder => builder.EnableMetrics(FeedFreshness.MeterName));
        var metrics = Metrics(configuration);
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

        var endpoint = configuration["OpenTelemetry:OtlpEndpoint"];
        if (!string.IsNullOrWhiteSpace(endpoint))
        {
            var protocol = configuration["OpenTelemetry:OtlpProtocol"]?.Trim().ToLowerInvariant() switch
            {
                null or "" or "grpc" => OtlpExportProtocol.Grpc,
                "http/protobuf" or "httpprotobuf" => OtlpExportProtocol.HttpProtobuf,
                var other => throw new InvalidOperationException($"OpenTelemetry:OtlpProtocol must be 'grpc' or 'http/protobuf', not '{other}'."),
            };
            if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                throw new InvalidOperationException($"OpenTelemetry:OtlpEndpoint: '{endpoint}' is not an absolute http(s) URL, such as http://otel-collector:4317.");
            telemetry.UseOtlpExporter(protocol, uri);
        }
        else if (!string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
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

    /// <summary>Read while registering (which exporters to add); the same values are validated at start.</summary>
    internal static MetricsOptions Metrics(IConfiguration configuration) =>
        configuration.GetSection("Metrics").Get<MetricsOptions>() ?? new MetricsOptions();

    // Probes and scrapes every few seconds would drown the traces that matter.
    private static bool IsOperational(PathString path, MetricsOptions metrics) =>
        path.StartsWithSegments("/health") || (metrics.Enabled && path.StartsWithSegments(metrics.PrometheusPath));
}
