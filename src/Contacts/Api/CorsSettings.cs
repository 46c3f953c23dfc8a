using System.ComponentModel.DataAnnotations;

namespace Contacts.Api;

/// <summary>Bound from "Api:Cors": the browser origins (scheme, host, port) allowed to call the API; none by default.</summary>
public sealed class CorsSettings : IValidatableObject
{
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>Each origin as a browser sends it in its Origin header: lower case, no default port, no trailing slash.</summary>
    internal IReadOnlyList<string> Origins => [.. AllowedOrigins.Select(text => Origin(text)!)];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var bad = Array.FindIndex(AllowedOrigins, text => Origin(text) is null);
        if (bad >= 0)
        {
            yield return new ValidationResult($"Api:Cors:AllowedOrigins:{bad}: '{AllowedOrigins[bad]}' is not an origin: write the scheme, " +
                                              "host and port a browser page is served from, without a path, e.g. https://app.example.com " +
                                              "or http://localhost:3000.", [nameof(AllowedOrigins)]);
        }
    }

    private static string? Origin(string text)
    {
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || url.UserInfo.Length > 0 ||
            url.PathAndQuery != "/" || url.Fragment.Length > 0 || text.Trim().TrimEnd('/').Contains('?'))
            return null;
        return url.GetLeftPart(UriPartial.Authority).ToLowerInvariant();
    }
}
