using Contacts.Data;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Contacts.Operations;

public sealed class MetricsOptions
{
    /// <summary>Serve the Prometheus scrape endpoint.</summary>
    public bool Enabled { get; set; } = true;
    public string PrometheusPath { get; set; } = "/metrics";
    /// <summary>When set, the scrape endpoint answers only on connections to this local port (which Kestrel must also listen on).</summary>
    public int? Port { get; set; }
}

/// <summary>
/// OpenTelemetry metrics and traces: ASP.NET Core, the .NET runtime, Npgsql and our own statement counter,
/// scraped by Prometheus at Metrics:PrometheusPath and pushed over OTLP when an endpoint is configured.
/// </summary>
public static class Telemetry
{
    public const string ServiceName = "contacts";
    /// <summary>Npgsql 8+ publishes its metrics (db.client.*) and spans under this name.</summary>
    public const string NpgsqlSource = "Npgsql";

    public static IServiceCollection AddContactsTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
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
            telemetry.UseOtlpExporter(protocol, new Uri(endpoint));
        }
        else if (!string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            // The standard variables (endpoint, protocol, headers, per-signal endpoints) are read by the exporter itself.
            telemetry.UseOtlpExporter();
        }
        return services;
    }

    /// <summary>The Prometheus scrape endpoint, when metrics are enabled.</summary>
    public static IEndpointRouteBuilder MapContactsMetrics(this IEndpointRouteBuilder app)
    {
        var metrics = Metrics(app.ServiceProvider.GetRequiredService<IConfiguration>());
        if (!metrics.Enabled) return app;
        // The local port, not the Host header (which the client chooses), decides: a private listener can be firewalled.
        Action<IApplicationBuilder>? onlyOnPort = metrics.Port is { } port
            ? branch => branch.Use((http, next) =>
            {
                if (http.Connection.LocalPort == port) return next(http);
                http.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            })
            : null;
        Health.Operational(app.MapPrometheusScrapingEndpoint(metrics.PrometheusPath, meterProvider: null, onlyOnPort, optionsName: null));
        return app;
    }

    internal static MetricsOptions Metrics(IConfiguration configuration)
    {
        var options = configuration.GetSection("Metrics").Get<MetricsOptions>() ?? new MetricsOptions();
        if (!options.PrometheusPath.StartsWith('/')) throw new InvalidOperationException("Metrics:PrometheusPath must start with '/'.");
        return options;
    }

    // Probes and scrapes every few seconds would drown the traces that matter.
    private static bool IsOperational(PathString path, MetricsOptions metrics) =>
        path.StartsWithSegments("/health") || (metrics.Enabled && path.StartsWithSegments(metrics.PrometheusPath));
}
