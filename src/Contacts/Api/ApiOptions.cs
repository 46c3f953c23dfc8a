using System.ComponentModel.DataAnnotations;

namespace Contacts.Api;

/// <summary>Bound from the "Api" section; the URL rules in <see cref="ApiOptionsValidation"/>.</summary>
public sealed class ApiOptions
{
    [Range(1, 10_000, ErrorMessage = "Api:MaxLimit must be between {1} and {2}.")]
    public int MaxLimit { get; set; } = 100;

    /// <summary>Brotli or gzip for JSON answers by Accept-Encoding (<see cref="Compression"/>); false when a proxy in front compresses.</summary>
    public bool ResponseCompression { get; set; } = true;

    /// <summary>
    /// The absolute URL clients reach the service's root at (e.g. https://contacts.example.com). When set, Link headers
    /// and the OpenAPI document's servers entry are absolute from it; unset, they are relative, and never taken from
    /// the request's Host header, which the client chooses.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>Api:Cors:AllowedOrigins: the browser origins allowed to call the API (<see cref="Contacts.Api.Cors"/>).</summary>
    public CorsSettings Cors { get; set; } = new();

    /// <summary>PublicBaseUrl without its trailing slashes; null when unset.</summary>
    internal string? BaseUrl => string.IsNullOrWhiteSpace(PublicBaseUrl) ? null : PublicBaseUrl.Trim().TrimEnd('/');
}
