namespace Contacts.Api;

/// <summary>Bound from "Api:Cors": the browser origins (scheme, host, port) allowed to call the API; none by default.</summary>
public sealed class CorsSettings
{
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>Each origin as a browser sends it in its Origin header: lower case, no default port, no trailing slash.</summary>
    internal IReadOnlyList<string> Origins => [.. AllowedOrigins.Select(text => Origin(text)!)];

    /// <summary>The origin a browser would send for the text; null when it is not one (a path, a query, no scheme).</summary>
    internal static string? Origin(string text)
    {
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || url.UserInfo.Length > 0 ||
            url.PathAndQuery != "/" || url.Fragment.Length > 0 || text.Trim().TrimEnd('/').Contains('?'))
            return null;
        return url.GetLeftPart(UriPartial.Authority).ToLowerInvariant();
    }
}
