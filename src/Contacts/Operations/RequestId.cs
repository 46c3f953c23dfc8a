using System.Diagnostics;

namespace Contacts.Operations;

/// <summary>
/// The one id of a request: its W3C trace id (the 32 hex digits of the trace-id field of traceparent, taken from the
/// request's own traceparent when it sent one). Every response carries it in X-Request-Id, an error body as traceId,
/// the request log line as trace=, so a client quoting any of them finds the request's log lines and spans.
/// </summary>
public static class RequestId
{
    public const string Header = "X-Request-Id";

    /// <summary>The span id is left out: it names one hop, not the request.</summary>
    public static string Of(HttpContext http) =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity ? activity.TraceId.ToHexString() : http.TraceIdentifier;

    /// <summary>First in the pipeline, so that every answer the application gives carries it, errors and 404s included.</summary>
    public static IApplicationBuilder UseRequestId(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        http.Response.OnStarting(() =>
        {
            http.Response.Headers[Header] = Of(http);
            return Task.CompletedTask;
        });
        return next(http);
    });
}
