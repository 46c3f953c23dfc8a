using Microsoft.Extensions.Options;

namespace Contacts.Api;

/// <summary>The URL rules of the "Api" section: Api:PublicBaseUrl and Api:Cors:AllowedOrigins.</summary>
internal sealed class ApiOptionsValidation : IValidateOptions<ApiOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiOptions options)
    {
        var problems = new List<string>();
        if (options.BaseUrl is { } baseUrl && (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") ||
            url.Query.Length > 0 || url.Fragment.Length > 0 || url.UserInfo.Length > 0 || baseUrl.Contains('?') || baseUrl.Contains('#')))
        {
            // The value is not echoed: it may hold a password.
            problems.Add("Api:PublicBaseUrl must be an absolute http or https URL without query, fragment " +
                         "or user info, e.g. https://contacts.example.com.");
        }
        var origins = options.Cors.AllowedOrigins;
        var bad = Array.FindIndex(origins, text => CorsSettings.Origin(text) is null);
        if (bad >= 0)
        {
            problems.Add($"Api:Cors:AllowedOrigins:{bad}: '{origins[bad]}' is not an origin: write the scheme, " +
                         "host and port a browser page is served from, without a path, e.g. https://app.example.com " +
                         "or http://localhost:3000.");
        }
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
