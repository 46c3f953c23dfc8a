using Contacts.Operations;
using Microsoft.OpenApi;

namespace Contacts.Api;

/// <summary>
/// The response headers of every operation, declared once for the whole document by status, as the pipeline sends them
/// (a new operation cannot forget one), the 304 of conditional requests, and the If-None-Match that asks for it. Link
/// is the paged lists' own (ContactsOpenApi.Describe). Docs/OpenApiDocumentTests compares them with live answers.
/// </summary>
internal static class OpenApiHeaders
{
    public const string NotModified = "304";

    public static void Describe(OpenApiDocument document)
    {
        foreach (var operation in document.Paths?.Values.SelectMany(path => path.Operations?.Values ?? Enumerable.Empty<OpenApiOperation>()) ?? [])
        {
            operation.Parameters ??= [];
            if (!operation.Parameters.Any(p => p.Name == "If-None-Match")) operation.Parameters.Add(IfNoneMatch());
            operation.Responses ??= [];
            operation.Responses[NotModified] = new OpenApiResponse
            {
                Description = "Not Modified: `If-None-Match` named this answer's current `ETag` (or was `*`). No body; " +
                              "the `ETag` and `Cache-Control` are repeated. Use the copy you kept.",
            };
            // By status, as readers look for them.
            var sorted = new OpenApiResponses();
            foreach (var (status, response) in operation.Responses.OrderBy(r => r.Key, StringComparer.Ordinal)) sorted[status] = response;
            operation.Responses = sorted;
            foreach (var (status, response) in sorted)
            {
                if (response is not OpenApiResponse described) continue;
                described.Headers ??= new Dictionary<string, IOpenApiHeader>();
                Add(described.Headers, status);
            }
        }
    }

    private static void Add(IDictionary<string, IOpenApiHeader> headers, string status)
    {
        var current = status is "200" or NotModified;
        // Every answer of the application carries it, whatever the operation and status (Operations/RequestId.cs).
        headers[RequestId.Header] = Text("The request's id: its W3C trace id (that of the request's `traceparent` when it sent one), " +
                                         "the same as an error's `traceId` and the server's log lines. Quote it when reporting a problem.",
            "^[0-9a-f]{32}$");
        headers["Cache-Control"] = current
            ? Text("`private, no-cache`: you may keep the answer, but ask again (with `If-None-Match`) before using it; " +
                   "no shared cache may store it.", "^private, no-cache$")
            : Text("`no-store`: an error is not worth keeping.", "^no-store$");
        if (current)
            headers["ETag"] = Text("A weak entity tag of this answer: the company's data, the request as the server read it, the " +
                                   "format. Send it back in `If-None-Match`; it changes whenever the answer may have.", "^W/\"[A-Za-z0-9_-]{22}\"$");
        // Sent by the rate limiter, which runs on the API's endpoints after authentication: not on a 405, answered
        // before it (docs/reliability.md#rate-limits). Present while RateLimits:Enabled (the default).
        if (status != "405")
        {
            headers["RateLimit-Limit"] = Count("Size of the token bucket that paid for this request (per key; per address when authentication failed).");
            headers["RateLimit-Remaining"] = Count("Requests left in that bucket.");
            headers["RateLimit-Reset"] = Count("Seconds until that bucket is full again; 0 when full. Beside `Retry-After`, the same value.");
        }
        if (status is "429" or "503") headers["Retry-After"] = Count("Seconds to wait before retrying.");
    }

    private static OpenApiParameter IfNoneMatch() => new()
    {
        Name = "If-None-Match",
        In = ParameterLocation.Header,
        Required = false,
        Description = "The `ETag` of the answer you kept (several, comma-separated, or `*`): when it is still the current " +
                      "one the answer is `304 Not Modified`, without a body. Compared weakly (RFC 9110).",
        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
    };

    private static OpenApiHeader Text(string description, string pattern) =>
        new() { Description = description, Schema = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = pattern } };

    private static OpenApiHeader Count(string description) =>
        new() { Description = description, Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "0" } };
}
