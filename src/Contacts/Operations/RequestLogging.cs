using System.Diagnostics;
using Contacts.Auth;

#pragma warning disable CA1848, CA1873 // one line per request through a static template and event id; the params array is the only extra (not measured)

namespace Contacts.Operations;

/// <summary>
/// One Information line per request: method, path, endpoint, status, duration, key id and trace id.
/// Written by hand rather than with ASP.NET Core's HTTP logging: even with CombineLogs its one entry is a
/// message of several text lines, under its own category and event id (so Logging:LogLevel:Contacts.Requests
/// would no longer reach it) with fields it names itself (Duration, not DurationMs). Here the query string
/// (search terms are personal data) and the headers (Authorization holds the key) are never even read.
/// </summary>
public static class RequestLogging
{
    /// <summary>The log category; set Logging:LogLevel:Contacts.Requests=Warning to silence the access log.</summary>
    public const string Category = "Contacts.Requests";

    private static readonly EventId Completed = new(1, "RequestCompleted");
    // A plain template, not [LoggerMessage]: Microsoft.Extensions.Telemetry.Abstractions (brought in by the client's
    // resilience package) takes over that attribute with its own generator, whose state did not expose these fields
    // as name/value pairs to other logger providers.
    private const string Template = "{Method} {Path} {Endpoint} {StatusCode} {DurationMs:0.0} ms key={KeyId} trace={TraceId}";

    public static IApplicationBuilder UseRequestLogging(this IApplicationBuilder app)
    {
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(Category);
        return app.Use(async (http, next) =>
        {
            if (!logger.IsEnabled(LogLevel.Information))
            {
                await next(http);
                return;
            }
            var started = Stopwatch.GetTimestamp();
            var status = StatusCodes.Status500InternalServerError;
            try
            {
                await next(http);
                status = http.Response.StatusCode;
            }
            finally
            {
                // An exception that escapes every handler still gets its line (as the 500 Kestrel will send).
                var endpoint = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;
                logger.Log(LogLevel.Information, Completed, Template,
                    http.Request.Method, http.Request.PathBase.Add(http.Request.Path).Value ?? "/", endpoint ?? "", status,
                    Stopwatch.GetElapsedTime(started).TotalMilliseconds, http.User.KeyId() ?? "-",
                    RequestId.Of(http));
            }
        });
    }
}
