using Contacts.Contracts;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Contacts.Client;

/// <summary>
/// The API answered with an error, or with something that is not the API's JSON. Carries the HTTP status and the
/// problem+json fields the server sent (title, detail, traceId; for a 400 the offending parameters).
/// </summary>
public sealed class ContactsApiException : Exception
{
    /// <summary>An error without a response (for tests and wrappers).</summary>
    public ContactsApiException() : this("The Contacts API answered with an error.")
    {
    }

    /// <summary>An error without a response (for tests and wrappers).</summary>
    /// <param name="message">What went wrong.</param>
    public ContactsApiException(string message) : base(message)
    {
    }

    /// <summary>An error without a response (for tests and wrappers).</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public ContactsApiException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>An error answer of the API.</summary>
    /// <param name="statusCode">The HTTP status.</param>
    /// <param name="problem">The problem+json body, or null when the body was not one.</param>
    /// <param name="message">The exception message.</param>
    /// <param name="innerException">The cause, if any.</param>
    public ContactsApiException(HttpStatusCode statusCode, ProblemDetails? problem, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        Problem = problem;
    }

    /// <summary>The HTTP status of the response (0 when there was none).</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The whole problem+json body, or null when the server sent something else.</summary>
    public ProblemDetails? Problem { get; }

    /// <summary>The problem's title, e.g. <c>Unauthorized</c>.</summary>
    public string? Title => Problem?.Title;

    /// <summary>The problem's detail: what went wrong in this request.</summary>
    public string? Detail => Problem?.Detail;

    /// <summary>The server's trace id; quote it when reporting a 500.</summary>
    public string? TraceId => Problem?.TraceId;

    internal static async Task<ContactsApiException> FromResponseAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        ProblemDetails? problem = null;
        if (response.Content.Headers.ContentType?.MediaType is "application/problem+json" or "application/json")
        {
            try
            {
                problem = await response.Content.ReadFromJsonAsync(ContactsJsonContext.Default.ProblemDetails, cancellationToken).ConfigureAwait(false);
            }
            catch (JsonException)
            {
                // not a problem body after all: the status alone still says what happened
            }
        }
        var status = (int)response.StatusCode;
        var title = problem?.Title ?? response.ReasonPhrase ?? response.StatusCode.ToString();
        var message = $"The Contacts API answered {status} {title}";
        if (problem?.Detail is { } detail && detail != title) message += $": {detail}";
        if (problem?.TraceId is { } traceId) message += $" (traceId {traceId})";
        return new ContactsApiException(response.StatusCode, problem, message + ".");
    }

    internal static ContactsApiException UnexpectedBody(HttpResponseMessage response, Uri uri, JsonException error) =>
        new(response.StatusCode, null,
            $"{uri.GetLeftPart(UriPartial.Path)} answered {(int)response.StatusCode} with a body that is not the Contacts API's JSON ({error.Message}). Is the URL the API server's root?",
            error);
}
