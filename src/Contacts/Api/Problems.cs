using System.Globalization;
using Contacts.Data;
using Contacts.Fairness;
using Contacts.Operations;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;

#pragma warning disable CA1848, CA1873 // error paths only (500 and 503), not the hot path

namespace Contacts.Api;

/// <summary>The one problem-details path: every error body is application/problem+json with a traceId.</summary>
public static class Problems
{
    /// <summary>400: each invalid parameter by name with the rule it broke (Api/Binding); the detail joins the rules.</summary>
    public static ValidationProblem InvalidParameters(string title, Dictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, detail: string.Join(" ", errors.Values.SelectMany(v => v)), title: title);

    /// <summary>401, with the authentication handler's reason as the detail (Auth/ApiKeyAuthentication.cs).</summary>
    public static ProblemHttpResult Unauthorized(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: detail);

    /// <summary>
    /// The same answer whether the id was never used, was deleted or is another company's: telling them apart would
    /// confirm which ids exist elsewhere. The client library recognises it by its title (docs/client.md).
    /// </summary>
    public static ProblemHttpResult ContactNotFound() =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: Contracts.ProblemDetails.ContactNotFoundTitle,
            detail: "This API key's company has no contact with this id.");

    /// <summary>
    /// A request that did not get its company's turn at the database (docs/reliability.md#a-fair-share-of-the-database):
    /// 429 when its own company's requests fill its share or queue, 503 when other companies' work held it past the
    /// bound. Retry-After is the queue bound: by then the requests ahead of it have been served or refused.
    /// </summary>
    public static ProblemHttpResult DatabaseBusy(HttpContext http, DatabaseShare.Outcome outcome, TimeSpan maxWait)
    {
        http.Response.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(maxWait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return outcome switch
        {
            DatabaseShare.Outcome.QueueFull => TooManyRequests(
                "This company already has as many requests waiting for the database as it may (DatabaseShare:QueuedRequestsPerCompany). " +
                "Send fewer at once; retry after the number of seconds in Retry-After."),
            DatabaseShare.Outcome.CompanyBusy => TooManyRequests(
                "This company's other requests held its share of the database (DatabaseShare:ConcurrentRequestsPerCompany) for longer " +
                "than a request may wait (DatabaseShare:MaxQueueSeconds). Send fewer at once; retry after the number of seconds in Retry-After."),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Service Unavailable",
                detail: "The database is busy with other companies' requests: this one waited as long as a request may " +
                        "(DatabaseShare:MaxQueueSeconds). Retry after the number of seconds in Retry-After."),
        };
    }

    /// <summary>
    /// 410 of the change feed: the cursor's position is gone (docs/sync.md). Typed on the base of every other problem
    /// type (ASP.NET Core's defaults for the statuses it knows).
    /// </summary>
    public static ProblemHttpResult CursorExpired() =>
        TypedResults.Problem(statusCode: StatusCodes.Status410Gone, title: "Cursor expired", type: "https://tools.ietf.org/html/rfc9110#section-15.5.11",
            detail: "The cursor cannot continue: it is older than the change history this server keeps (Sync:HistoryDays), " +
                    "or the database has moved to another history since it was issued (a failover or a restore). " +
                    "Start again without a cursor: the feed then sends every contact once.");

    /// <summary>429: the rate limits' and the database share's, with the same type and title.</summary>
    public static ProblemHttpResult TooManyRequests(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too Many Requests", detail: detail,
            type: TooManyRequestsType);

    private const string TooManyRequestsType = "https://tools.ietf.org/html/rfc6585#section-4";

    /// <summary>The request's id (<see cref="RequestId"/>): the same in the body, the X-Request-Id header and the logs.</summary>
    public static string TraceId(HttpContext http) => RequestId.Of(http);

    public static IServiceCollection AddContactsProblemDetails(this IServiceCollection services)
    {
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            problem.Extensions["traceId"] = TraceId(context.HttpContext);
            problem.Detail ??= problem.Status switch
            {
                StatusCodes.Status401Unauthorized => "A valid API key is required: Authorization: Bearer <API_KEY>.",
                StatusCodes.Status404NotFound => "No endpoint at this path. The API lives under /api/v1/contacts.",
                StatusCodes.Status405MethodNotAllowed => "Only GET is allowed on this resource.",
                _ => problem.Title,
            };
        });
        services.AddExceptionHandler<DatabaseExceptionHandler>();
        return services;
    }

    /// <summary>
    /// Unhandled exceptions: 503 with Retry-After when the database is unreachable or too slow, 500 otherwise.
    /// The body never carries exception text; the log has it under the same trace id.
    /// </summary>
    private sealed class DatabaseExceptionHandler(IProblemDetailsService problems, ILogger<DatabaseExceptionHandler> logger) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
        {
            var traceId = TraceId(http);
            var unavailable = ContactsDatabase.IsUnavailable(exception);
            if (http.RequestAborted.IsCancellationRequested && exception is OperationCanceledException) return true;
            if (unavailable)
            {
                logger.LogWarning(exception, "Database unavailable (traceId {TraceId})", traceId);
                http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                http.Response.Headers.RetryAfter = "5";
            }
            else
            {
                logger.LogError(exception, "Unhandled exception (traceId {TraceId})", traceId);
                http.Response.StatusCode = StatusCodes.Status500InternalServerError;
            }
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = http,
                ProblemDetails =
                {
                    Status = http.Response.StatusCode,
                    Title = unavailable ? "Service Unavailable" : "Internal Server Error",
                    Detail = unavailable
                        ? "The database is unavailable right now. Retry after the number of seconds in Retry-After."
                        : "An unexpected error occurred. Quote the traceId when reporting it.",
                },
            });
        }
    }
}
