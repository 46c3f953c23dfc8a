using System.Security.Claims;
using Contacts.Operations;
using Microsoft.AspNetCore.Authorization;

#pragma warning disable CA1848, CA1873 // a warning when a last-used flush fails, once a minute at most

namespace Contacts.Auth;

public static class ApiKeyAuthentication
{
    public const string Scheme = "ApiKey";
    public const string CompanyClaim = "company_id";
    public const string KeyClaim = "key_id";

    public static IServiceCollection AddApiKeyAuthentication(this IServiceCollection services)
    {
        services.AddSettings<ApiKeyOptions>("Auth", Scheme);
        services.AddSingleton<KeyCache>();
        services.AddSingleton<KeyUsage>();
        services.AddHostedService(sp => sp.GetRequiredService<KeyUsage>());
        services.AddAuthentication(Scheme).AddScheme<ApiKeyOptions, ApiKeyHandler>(Scheme, configureOptions: null);
        services.AddAuthorization();
        return services;
    }

    /// <summary>Whether the request's endpoint wants a key: only those are authenticated and rate limited.</summary>
    internal static bool RequiresKey(HttpContext http) =>
        http.GetEndpoint()?.Metadata is { } metadata
        && metadata.GetMetadata<IAuthorizeData>() is not null
        && metadata.GetMetadata<IAllowAnonymous>() is null;

    public static long CompanyId(this ClaimsPrincipal user) =>
        long.Parse(user.FindFirstValue(CompanyClaim) ?? throw new InvalidOperationException("No company on an authenticated request."),
            System.Globalization.CultureInfo.InvariantCulture);

    public static string? KeyId(this ClaimsPrincipal user) => user.FindFirstValue(KeyClaim);
}
