using System.ComponentModel.DataAnnotations;

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
