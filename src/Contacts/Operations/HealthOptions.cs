using System.ComponentModel.DataAnnotations;

namespace Contacts.Operations;

/// <summary>Bound from the "Health" section, validated at start.</summary>
public sealed class HealthOptions
{
    /// <summary>How long the readiness probe waits for the database before answering 503.</summary>
    [Range(0.001, 300, ErrorMessage = "Health:ReadyTimeoutSeconds must be between {1} and {2}.")]
    public double ReadyTimeoutSeconds { get; set; } = 2;

    /// <summary>
    /// How long one database check answers every readiness probe: probes are anonymous, and each used to cost a
    /// transaction (issue 20: 47,861 probes, 46,842 transactions). 0 still shares a check among probes that arrive while it runs.
    /// </summary>
    [Range(0d, 60d, ErrorMessage = "Health:ReadyCacheSeconds must be between {1} and {2}.")]
    public double ReadyCacheSeconds { get; set; } = 1;
}
