using Contacts.Data;
using Contacts.Operations;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;

#pragma warning disable CA1848, CA1873 // error paths only (500 and 503), not the hot path

namespace Contacts.Api;

/// <summary>The one problem-details path: every error body is application/problem+json with a traceId.</summary>
public static class Problems
{
    public static ValidationProblem InvalidQuery(Dictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors,
            detail: string.Join(" ", errors.Values.SelectMany(v => v)),
            title: "Invalid query parameter");

    public static ValidationProblem InvalidContactId() =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [ContactRoute.Name] = [ContactRoute.Rule] },
            detail: ContactRoute.Rule, title: "Invalid contact id");

    /// <summary>
    /// The same answer whether the id was never used, was deleted or is another company's: telling them apart would
    /// confirm which ids exist elsewhere. The client library recognises it by its title (docs/client.md).
    /// </summary>
    public static ProblemHttpResult ContactNotFound() =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: Contracts.ProblemDetails.ContactNotFoundTitle,
            detail: "This API key's company has no contact with this id.");

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
