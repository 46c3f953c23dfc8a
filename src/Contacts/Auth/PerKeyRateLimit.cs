using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Contacts.Api;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Contacts.Auth;

/// <summary>
/// The token buckets of the endpoints that take a key, as one named rate-limit policy of their route group: one bucket
/// per API key for authenticated requests, one per client address for requests that fail authentication, with
/// RateLimit-* headers on every answer of those endpoints and 429 problem+json over.
/// </summary>
/// <remarks>
/// ASP.NET Core's limiter runs after authentication and before authorization, and only on the endpoints that carry the
/// policy. So a 405 (its endpoint has no policy) still comes first; an unauthenticated request that reaches it is
/// exactly one that authorization will answer 401, so the per-address bucket counts failed authentications without a
/// second middleware watching status codes; and a valid key keeps working from an address that also sends bad ones (a
/// shared NAT or proxy), because an authenticated request only ever draws from its key's bucket. Authentication asks
/// <see cref="FailedAuthExhausted"/> before it asks the database about a key it has not cached: once an address has
/// used up its failed authentications, its unknown keys cost no lookup (and a valid key that is not cached at that
/// moment gets the same 429 until the bucket refills). The buckets are this object's, not the middleware's, so that
/// authentication and the RateLimit-* headers read the bucket the request drew from; the middleware draws through a
/// view of it (<see cref="BucketView"/>).
/// </remarks>
internal sealed class PerKeyRateLimit : IRateLimiterPolicy<PerKeyRateLimit.Bucket>, IDisposable
{
    public const string PolicyName = "per-key";

    private readonly TokenBucketRateLimiterOptions _perKey;
    private readonly TokenBucketRateLimiterOptions _perAddress;
    private readonly PartitionedRateLimiter<Bucket>? _buckets;
    private readonly TimeProvider _time;

    public PerKeyRateLimit(IOptions<RateLimitOptions> options, TimeProvider time)
    {
        // .Value validates: bad settings stop startup with the validation message.
        Enabled = options.Value.Enabled;
        _time = time;
        var perKey = _perKey = options.Value.PerKey.ToLimiterOptions();
        var perAddress = _perAddress = options.Value.FailedAuthPerAddress.ToLimiterOptions();
        if (Enabled)
            _buckets = PartitionedRateLimiter.Create<Bucket, Bucket>(bucket =>
                RateLimitPartition.GetTokenBucketLimiter(bucket, b => b.PerAddress ? perAddress : perKey));
    }

    /// <summary>RateLimits:Enabled: when false no endpoint carries the policy and no request is limited.</summary>
    public bool Enabled { get; }

    /// <summary>A bucket: the key's, or (for a request that failed authentication) the client address's.</summary>
    internal readonly record struct Bucket(bool PerAddress, string Id);

    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected => (context, _) => RejectAsync(context.HttpContext, context.Lease);

    public RateLimitPartition<Bucket> GetPartition(HttpContext http) =>
        RateLimitPartition.Get(BucketOf(http), bucket => new BucketView(_buckets!, bucket, _time));

    /// <summary>
    /// Called by authentication before it looks a key up: true when this unauthenticated request would draw from an
    /// empty per-address bucket, so that the lookup is skipped and the limiter answers 429 as usual.
    /// </summary>
    public bool FailedAuthExhausted(HttpContext http) =>
        Limits(http) && BucketOf(http) is { PerAddress: true } bucket && _buckets!.GetStatistics(bucket)?.CurrentAvailablePermits <= 0;

    /// <summary>Runs once the limiter let the request through: the headers describe the bucket after this request.</summary>
    public void AddHeadersOnStarting(HttpContext http)
    {
        if (!Limits(http)) return;
        var bucket = BucketOf(http);
        var remaining = _buckets!.GetStatistics(bucket)?.CurrentAvailablePermits ?? 0;
        http.Response.OnStarting(() =>
        {
            SetHeaders(http.Response.Headers, SettingsOf(bucket), remaining);
            return Task.CompletedTask;
        });
    }

    private async ValueTask RejectAsync(HttpContext http, RateLimitLease lease)
    {
        var bucket = BucketOf(http);
        var settings = SettingsOf(bucket);
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : settings.ReplenishmentPeriod;
        http.Response.Headers.RetryAfter = WholeSeconds(retryAfter.TotalSeconds);
        SetHeaders(http.Response.Headers, settings, 0);
        await Problems.TooManyRequests(bucket.PerAddress
            ? "Too many failed authentication attempts from this address. Retry after the number of seconds in Retry-After."
            : "This API key has used up its request allowance. Retry after the number of seconds in Retry-After.").ExecuteAsync(http);
    }

    /// <summary>Whether the request's endpoint carries this policy: by its metadata, never its path.</summary>
    private bool Limits(HttpContext http) =>
        _buckets is not null && http.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName == PolicyName;

    private static Bucket BucketOf(HttpContext http) =>
        http.User.Identity?.IsAuthenticated == true && http.User.KeyId() is { } keyId
            ? new Bucket(PerAddress: false, keyId)
            : new Bucket(PerAddress: true, AddressPartition(http.Connection.RemoteIpAddress));

    private TokenBucketRateLimiterOptions SettingsOf(Bucket bucket) => bucket.PerAddress ? _perAddress : _perKey;

    /// <summary>An IPv6 client usually owns a whole /64, so that is one address here; IPv4-mapped addresses count as IPv4.</summary>
    internal static string AddressPartition(IPAddress? address)
    {
        if (address is null) return "unknown";
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return address.ToString();
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    /// <summary>
    /// RateLimit-Limit is the bucket size, RateLimit-Remaining the tokens left, RateLimit-Reset the seconds until the
    /// bucket is full again at the latest (draft-ietf-httpapi-ratelimit-headers, the three-field form), or what
    /// Retry-After says when the answer has one.
    /// </summary>
    private static void SetHeaders(IHeaderDictionary headers, TokenBucketRateLimiterOptions bucket, long remaining)
    {
        remaining = Math.Clamp(remaining, 0, bucket.TokenLimit);
        var periods = (bucket.TokenLimit - remaining + bucket.TokensPerPeriod - 1) / bucket.TokensPerPeriod;
        headers["RateLimit-Limit"] = bucket.TokenLimit.ToString(CultureInfo.InvariantCulture);
        headers["RateLimit-Remaining"] = remaining.ToString(CultureInfo.InvariantCulture);
        headers["RateLimit-Reset"] = periods == 0 ? "0" : WholeSeconds(periods * bucket.ReplenishmentPeriod.TotalSeconds);
        // Beside Retry-After (a 429 of any limit, a 503), RateLimit-Reset names the same moment, as the draft asks: a
        // client reading either waits as long.
        if (headers.RetryAfter is [{ } retryAfter]) headers["RateLimit-Reset"] = retryAfter;
    }

    // Rounded up, less a hair so that 1000.0000001 s (binary fractions of a rate) still reads 1000.
    private static string WholeSeconds(double seconds) =>
        Math.Max(1, (long)Math.Ceiling(Math.Min(seconds, int.MaxValue) - 1e-6)).ToString(CultureInfo.InvariantCulture);

    public void Dispose() => _buckets?.Dispose();

    /// <summary>
    /// The middleware's limiter for one bucket: it draws from the bucket this policy keeps. Idle once unused for a
    /// while, so that the middleware drops it (the bucket itself is dropped by <see cref="_buckets"/> once full and idle).
    /// </summary>
    private sealed class BucketView(PartitionedRateLimiter<Bucket> buckets, Bucket bucket, TimeProvider time) : RateLimiter
    {
        private long _used = time.GetTimestamp();

        public override TimeSpan? IdleDuration => time.GetElapsedTime(Volatile.Read(ref _used));

        public override RateLimiterStatistics? GetStatistics() => buckets.GetStatistics(bucket);

        protected override RateLimitLease AttemptAcquireCore(int permitCount)
        {
            Volatile.Write(ref _used, time.GetTimestamp());
            return buckets.AttemptAcquire(bucket, permitCount);
        }

        protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
        {
            Volatile.Write(ref _used, time.GetTimestamp());
            return buckets.AcquireAsync(bucket, permitCount, cancellationToken);
        }
    }
}
