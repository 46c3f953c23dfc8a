using Contacts.Operations;
using Microsoft.AspNetCore.RateLimiting;

namespace Contacts.Auth;

/// <summary>
/// The rate limits as a policy of the endpoints that take a key (<see cref="PerKeyRateLimit"/>): the route group says
/// <c>RequirePerKeyRateLimit()</c>, and the pipeline runs the limiter right after authentication.
/// </summary>
public static class RateLimiting
{
    public static IServiceCollection AddContactsRateLimits(this IServiceCollection services)
    {
        services.AddSettings<RateLimitOptions>("RateLimits");
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
