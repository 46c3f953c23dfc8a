using OpenTelemetry.Exporter;

namespace Contacts.Operations;

/// <summary>Bound from the "OpenTelemetry" section: where metrics, traces and logs are pushed over OTLP, if anywhere.</summary>
public sealed class OpenTelemetryOptions
{
    /// <summary>The collector, e.g. http://otel-collector:4317; unset, the standard OTEL_EXPORTER_OTLP_* variables decide.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>grpc (the default) or http/protobuf, in any case.</summary>
    public string? OtlpProtocol { get; set; }

    /// <summary>The endpoint as a URL; null when unset or not an absolute http(s) URL.</summary>
    internal Uri? Endpoint =>
        Uri.TryCreate(OtlpEndpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri : null;

    /// <summary>The protocol; null when it is neither.</summary>
    internal OtlpExportProtocol? Protocol => OtlpProtocol?.Trim().ToLowerInvariant() switch
    {
        null or "" or "grpc" => OtlpExportProtocol.Grpc,
        "http/protobuf" or "httpprotobuf" => OtlpExportProtocol.HttpProtobuf,
        _ => null,
    };
}
