using System.ComponentModel.DataAnnotations;

namespace Contacts.Fairness;

/// <summary>Bound from the "DatabaseShare" section: how the API's database work is shared between companies (docs/reliability.md#a-fair-share-of-the-database).</summary>
public sealed class DatabaseShareOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>Requests doing database work at once, all companies together; unset: Database:MaxPoolSize × (1 + standbys), one per connection.</summary>
    [Range(1, 100_000)]
    public int? ConcurrentRequests { get; set; }

    /// <summary>
    /// Requests of one company (all its keys) doing database work at once while it is the only company at work (divided
    /// between the companies at work otherwise, at least 1 each); unset: half of <see cref="ConcurrentRequests"/>, at least 1.
    /// </summary>
    [Range(1, 100_000)]
    public int? ConcurrentRequestsPerCompany { get; set; }

    /// <summary>Requests of one company that wait for their turn (holding no connection); past them, 429.</summary>
    [Range(0, 100_000)]
    public int QueuedRequestsPerCompany { get; set; } = 64;

    /// <summary>The longest a request waits for its turn; then 429 (its company's own work holds it) or 503 (others' does).</summary>
    [Range(0d, 600d, MinimumIsExclusive = true)]
    public double MaxQueueSeconds { get; set; } = 5;
}
