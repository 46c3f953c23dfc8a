using System.Diagnostics;
using Contacts.Auth;

namespace Contacts.Operations;

/// <summary>
/// One Information line per request: method, path, endpoint, status, duration, key id and trace id.
/// Written by hand rather than with ASP.NET Core's HTTP logging because that one spreads a request over
/// several text lines and names its fields itself; here the query string (search terms are personal data)
/// and the headers (Authorization holds the key) are never even read.
/// </summary>
public static partial class RequestLogging
{
    /// <summary>The log category; set Logging:LogLevel:Contacts.Requests=Warning to silence the access log.</summary>
    public const string Category = "Contacts.Requests";

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
                Completed(logger, http.Request.Method, http.Request.PathBase.Add(http.Request.Path).Value ?? "/", endpoint ?? "", status,
                    Stopwatch.GetElapsedTime(started).TotalMilliseconds, http.User.KeyId() ?? "-",
                    Activity.Current?.TraceId.ToHexString() ?? http.TraceIdentifier);
            }
        });
    }

    [LoggerMessage(EventId = 1, EventName = "RequestCompleted", Level = LogLevel.Information,
        Message = "{Method} {Path} {Endpoint} {StatusCode} {DurationMs:0.0} ms key={KeyId} trace={TraceId}")]
    private static partial void Completed(ILogger logger, string method, string path, string endpoint, int statusCode,
        double durationMs, string keyId, string traceId);
}
