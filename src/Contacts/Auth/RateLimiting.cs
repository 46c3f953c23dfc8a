using System.ComponentModel.DataAnnotations;
using System.Threading.RateLimiting;
using Contacts.Operations;
using Microsoft.AspNetCore.RateLimiting;

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

/// <summary>Bound from the "RateLimits" section.</summary>
public sealed class RateLimitOptions
{
    public bool Enabled { get; set; } = true;
    /// <summary>Above what one key can get out of a 2-core server on SQLite (docs/reliability.md#rate-limits).</summary>
    public TokenBucketSettings PerKey { get; set; } = new() { BucketSize = 6000, PermitsPerSecond = 3000 };
    public TokenBucketSettings FailedAuthPerAddress { get; set; } = new() { BucketSize = 100, PermitsPerSecond = 10 };
}

/// <summary>
/// The rate limits as a policy of the endpoints that take a key (<see cref="PerKeyRateLimit"/>): the route group says
/// <c>RequirePerKeyRateLimit()</c>, and the pipeline runs the limiter right after authentication.
/// </summary>
public static class RateLimiting
{
    public static IServiceCollection AddContactsRateLimits(this IServiceCollection services)
    {
        services.AddOptions<RateLimitOptions>().BindSettings("RateLimits");
        // Authentication asks it about failed attempts whether or not the limits are on (Enabled says no then).
        services.AddSingleton<PerKeyRateLimit>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<PerKeyRateLimit>((options, policy) =>
        {
            if (policy.Enabled) options.AddPolicy(PerKeyRateLimit.PolicyName, policy);
        });
        return services;
    }

    /// <summary>The group's endpoints draw from the caller's key's bucket, or from its address's when authentication failed.</summary>
    public static TBuilder RequirePerKeyRateLimit<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(endpoint =>
        {
            if (endpoint.ApplicationServices.GetRequiredService<PerKeyRateLimit>().Enabled)
                endpoint.Metadata.Add(new EnableRateLimitingAttribute(PerKeyRateLimit.PolicyName));
        });
        return builder;
    }

    /// <summary>Call right after UseAuthentication: the buckets are chosen by the authenticated key.</summary>
    public static IApplicationBuilder UseContactsRateLimits(this IApplicationBuilder app)
    {
        var policy = app.ApplicationServices.GetRequiredService<PerKeyRateLimit>();
        if (!policy.Enabled) return app;
        app.UseRateLimiter();
        return app.Use((http, next) =>
        {
            policy.AddHeadersOnStarting(http);
            return next(http);
        });
    }
}
