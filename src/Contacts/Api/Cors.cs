using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Options;

namespace Contacts.Api;

/// <summary>
/// Cross-origin calls from browser pages, off unless Api:Cors:AllowedOrigins lists origins. A request from a listed
/// origin goes through ASP.NET Core's CORS middleware: its preflight is answered (GET, with Authorization), and the
/// answer exposes the headers a client reads. Any other request, a preflight from an unlisted origin included, passes
/// by as if CORS did not exist (OPTIONS stays a 405), so the browser refuses the call.
/// </summary>
public static class Cors
{
    /// <summary>What a browser page may send beyond the CORS-safelisted headers, and read beyond the safelisted ones.</summary>
    internal static readonly string[] RequestHeaders = ["Authorization", "If-None-Match", "traceparent"];
    internal static readonly string[] ExposedHeaders =
        ["Link", "ETag", "X-Request-Id", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "Retry-After"];

    /// <summary>Before authentication and rate limits: a preflight carries no key and is answered without one.</summary>
    public static IApplicationBuilder UseContactsCors(this IApplicationBuilder app)
    {
        var origins = app.ApplicationServices.GetRequiredService<IOptions<ApiOptions>>().Value.Cors.Origins;
        if (origins.Count == 0) return app;
        void Policy(CorsPolicyBuilder policy) => policy
            .WithOrigins([.. origins])
            .WithMethods(HttpMethods.Get)
            .WithHeaders(RequestHeaders)
            .WithExposedHeaders(ExposedHeaders)
            .SetPreflightMaxAge(TimeSpan.FromMinutes(10));
        var listed = new HashSet<string>(origins, StringComparer.OrdinalIgnoreCase);
        return app.UseWhen(http => http.Request.Headers.Origin is [{ } origin] && listed.Contains(origin), allowed => allowed.UseCors(Policy));
    }
}
