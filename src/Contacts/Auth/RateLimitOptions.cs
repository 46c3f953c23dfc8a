namespace Contacts.Auth;

/// <summary>Bound from the "RateLimits" section.</summary>
public sealed class RateLimitOptions
{
    public bool Enabled { get; set; } = true;
    /// <summary>Above what one key can get out of a 2-core server on SQLite (docs/reliability.md#rate-limits).</summary>
    public TokenBucketSettings PerKey { get; set; } = new() { BucketSize = 6000, PermitsPerSecond = 3000 };
    public TokenBucketSettings FailedAuthPerAddress { get; set; } = new() { BucketSize = 100, PermitsPerSecond = 10 };
}
