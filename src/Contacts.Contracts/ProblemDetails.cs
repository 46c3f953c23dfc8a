using System.Text.Json.Serialization;

namespace Contacts.Contracts;

/// <summary>An RFC 9457 problem+json error body as the API sends it.</summary>
/// <param name="Type">A URI naming the kind of problem.</param>
/// <param name="Title">A short summary, e.g. <c>Unauthorized</c>.</param>
/// <param name="Status">The HTTP status code.</param>
/// <param name="Detail">What went wrong in this request.</param>
/// <param name="TraceId">The server's trace id: quote it when reporting a problem.</param>
/// <param name="Errors">For a 400: the parameters that broke a rule, with their messages.</param>
public sealed record ProblemDetails(
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("title")] string? Title,
    [property: JsonPropertyName("status")] int? Status,
    [property: JsonPropertyName("detail")] string? Detail,
    [property: JsonPropertyName("traceId")] string? TraceId,
    [property: JsonPropertyName("errors")] IReadOnlyDictionary<string, string[]>? Errors)
{
    /// <summary>
    /// The title of the <c>404</c> of <c>GET /api/v1/contacts/{id}</c> when the company has no contact with that id; a
    /// 404 with another title means the URL reached no endpoint of the API.
    /// </summary>
    public const string ContactNotFoundTitle = "Contact not found";
}
