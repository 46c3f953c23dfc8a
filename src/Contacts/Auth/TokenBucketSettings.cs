using System.ComponentModel.DataAnnotations;
using System.Threading.RateLimiting;

namespace Contacts.Auth;

/// <summary>One token bucket: how many requests may come at once, and how fast the allowance comes back.</summary>
public sealed class TokenBucketSettings
{
    [Range(1, 1_000_000)]
    public int BucketSize { get; set; }
    [Range(0d, 1_000_000d, MinimumIsExclusive = true)]
    public double PermitsPerSecond { get; set; }

    /// <summary>
    /// The partitioned limiter replenishes at most every 100 ms, so the rate becomes a whole number of tokens per
    /// period of at least 100 ms (300/s = 30 per 100 ms; 0.5/s = 1 per 2 s).
    /// </summary>
    internal TokenBucketRateLimiterOptions ToLimiterOptions()
    {
        var period = Math.Max(0.1, 1 / PermitsPerSecond);
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = BucketSize,
            TokensPerPeriod = Math.Max(1, (int)Math.Round(PermitsPerSecond * period)),
            ReplenishmentPeriod = TimeSpan.FromSeconds(period),
            QueueLimit = 0,
        };
    }
}
