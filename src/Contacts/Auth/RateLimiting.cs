using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Contacts.Operations;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Contacts.Auth;

/// <summary>
/// Token buckets on the /api/ endpoints: one per API key for authenticated requests, one per client address for
/// requests that fail authentication, with RateLimit-* headers on every limited response and 429 problem+json over.
/// </summary>
/// <remarks>
/// The limiter runs after authentication and before authorization, and only on endpoints that require a key. So a 405
/// (its endpoint needs no key) still comes first; an unauthenticated request that reaches it is exactly one that
/// authorization will answer 401, so the per-address bucket counts failed authentications without a second
/// middleware watching status codes; and a valid key keeps working from an address that also sends bad ones
/// (a shared NAT or proxy), because an authenticated request only ever draws from its key's bucket. Authentication
/// looks at the per-address bucket before it asks the database about a key it has not cached: once an address has
/// used up its failed authentications, its unknown keys cost no lookup (and a valid key that is not cached at that
/// moment gets the same 429 until the bucket refills).
/// </remarks>
public static class RateLimiting
{
    public static IServiceCollection AddContactsRateLimits(this IServiceCollection services)
    {
        services.AddSettings<RateLimitOptions>("RateLimits");
        services.AddSingleton<ApiRateLimiter>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<ApiRateLimiter>((options, limiter) =>
        {
            options.GlobalLimiter = limiter.Limiter;
            options.OnRejected = (context, _) => limiter.RejectAsync(context.HttpContext, context.Lease);
        });
        return services;
    }

    /// <summary>Call right after UseAuthentication: the buckets are chosen by the authenticated key.</summary>
    public static IApplicationBuilder UseContactsRateLimits(this IApplicationBuilder app)
    {
        if (!app.ApplicationServices.GetRequiredService<IOptions<RateLimitOptions>>().Value.Enabled) return app;
        var limiter = app.ApplicationServices.GetRequiredService<ApiRateLimiter>();
        app.UseRateLimiter();
        return app.Use((http, next) =>
        {
            limiter.AddHeadersOnStarting(http);
            return next(http);
        });
    }
}

internal sealed class ApiRateLimiter : IDisposable
{
    private readonly TokenBucketRateLimiterOptions _perKey;
    private readonly TokenBucketRateLimiterOptions _perAddress;
    // RateLimits:Enabled=false: the middleware is not used, and authentication, which asks first, never hears "exhausted".
    private readonly bool _enabled;

    public ApiRateLimiter(IOptions<RateLimitOptions> options)
    {
        _enabled = options.Value.Enabled;
        // .Value validates: bad settings stop startup with the validation message.
        var perKey = _perKey = options.Value.PerKey.ToLimiterOptions();
        var perAddress = _perAddress = options.Value.FailedAuthPerAddress.ToLimiterOptions();
        Limiter = PartitionedRateLimiter.Create<HttpContext, string>(http => Bucket(http) switch
        {
            { Kind: BucketKind.Key, Partition: var key } => RateLimitPartition.GetTokenBucketLimiter(key, _ => perKey),
            { Kind: BucketKind.Address, Partition: var address } => RateLimitPartition.GetTokenBucketLimiter(address, _ => perAddress),
            _ => RateLimitPartition.GetNoLimiter(""),
        });
    }

    public PartitionedRateLimiter<HttpContext> Limiter { get; }

    private enum BucketKind { None, Key, Address }

    private readonly record struct BucketChoice(BucketKind Kind, string Partition);

    private static BucketChoice Bucket(HttpContext http)
    {
        // By the endpoint's metadata, not its path: only the endpoints that require a key have buckets.
        if (!ApiKeyAuthentication.RequiresKey(http)) return default;
        if (http.User.Identity?.IsAuthenticated == true && http.User.KeyId() is { } keyId) return new(BucketKind.Key, "key:" + keyId);
        return new(BucketKind.Address, "address:" + AddressPartition(http.Connection.RemoteIpAddress));
    }

    /// <summary>
    /// Called by authentication before it looks a key up: true when this unauthenticated request would draw from an empty
    /// per-address bucket, so that the lookup is skipped and the limiter answers 429 as usual.
    /// </summary>
    public bool FailedAuthExhausted(HttpContext http) =>
        _enabled && Bucket(http).Kind == BucketKind.Address && Limiter.GetStatistics(http)?.CurrentAvailablePermits <= 0;

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

    private TokenBucketRateLimiterOptions? SettingsFor(HttpContext http) => Bucket(http).Kind switch
    {
        BucketKind.Key => _perKey,
        BucketKind.Address => _perAddress,
        _ => null,
    };

    /// <summary>Runs once the limiter let the request through: the headers describe the bucket after this request.</summary>
    public void AddHeadersOnStarting(HttpContext http)
    {
        if (SettingsFor(http) is not { } settings) return;
        var remaining = Limiter.GetStatistics(http)?.CurrentAvailablePermits ?? 0;
        http.Response.OnStarting(() =>
        {
            SetHeaders(http.Response.Headers, settings, remaining);
            return Task.CompletedTask;
        });
    }

    public async ValueTask RejectAsync(HttpContext http, RateLimitLease lease)
    {
        var perAddress = Bucket(http).Kind == BucketKind.Address;
        var settings = perAddress ? _perAddress : _perKey;
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : settings.ReplenishmentPeriod;
        http.Response.Headers.RetryAfter = WholeSeconds(retryAfter.TotalSeconds);
        SetHeaders(http.Response.Headers, settings, 0);
        await Api.Problems.TooManyRequests(perAddress
            ? "Too many failed authentication attempts from this address. Retry after the number of seconds in Retry-After."
            : "This API key has used up its request allowance. Retry after the number of seconds in Retry-After.").ExecuteAsync(http);
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

    public void Dispose() => Limiter.Dispose();
}
