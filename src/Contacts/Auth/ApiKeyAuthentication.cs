using Contacts.Data.Companies;
using Contacts.Data.Keys;
using System.Collections.Concurrent;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Contacts.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Contacts.Auth;

public sealed class ApiKeyOptions : AuthenticationSchemeOptions
{
    /// <summary>How long a verified key is trusted without asking the database; bounds how late a revocation bites.</summary>
    public int CacheSeconds { get; set; } = 10;
    /// <summary>How often last_used_at is written (batched for all keys used since).</summary>
    public int LastUsedFlushSeconds { get; set; } = 60;
}

public static class ApiKeyAuthentication
{
    public const string Scheme = "ApiKey";
    public const string CompanyClaim = "company_id";
    public const string KeyClaim = "key_id";

    public static IServiceCollection AddApiKeyAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMemoryCache();
        services.AddSingleton<KeyUsage>();
        services.AddHostedService(sp => sp.GetRequiredService<KeyUsage>());
        services.AddAuthentication(Scheme)
            .AddScheme<ApiKeyOptions, ApiKeyHandler>(Scheme, options =>
            {
                configuration.GetSection("Auth").Bind(options);
                options.CacheSeconds = Math.Clamp(options.CacheSeconds, 0, 10);
            });
        services.AddAuthorization();
        return services;
    }

    public static long CompanyId(this ClaimsPrincipal user) =>
        long.Parse(user.FindFirstValue(CompanyClaim) ?? throw new InvalidOperationException("No company on an authenticated request."),
            System.Globalization.CultureInfo.InvariantCulture);

    public static string? KeyId(this ClaimsPrincipal user) => user.FindFirstValue(KeyClaim);
}

internal sealed class ApiKeyHandler(
    IOptionsMonitor<ApiKeyOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    ContactsDatabase db, IMemoryCache cache, KeyUsage usage, IProblemDetailsService problems)
    : AuthenticationHandler<ApiKeyOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var headers = Request.Headers.Authorization;
        if (headers.Count == 0) return AuthenticateResult.NoResult();
        if (headers.Count > 1) return AuthenticateResult.Fail("More than one Authorization header.");
        var header = headers[0] ?? "";
        const string bearer = "Bearer ";
        if (!header.StartsWith(bearer, StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.Fail("Not a Bearer token.");
        var token = header[bearer.Length..].Trim();
        if (!ApiKeys.TryParse(token, out var keyId)) return AuthenticateResult.Fail("Malformed API key.");

        var cacheKey = "api-key:" + keyId;
        if (!cache.TryGetValue(cacheKey, out StoredApiKey? stored))
        {
            stored = await KeyQueries.FindAsync(db, keyId, Context.RequestAborted);
            if (stored is { Revoked: false } && Options.CacheSeconds > 0)
                cache.Set(cacheKey, stored, TimeSpan.FromSeconds(Options.CacheSeconds));
        }
        if (stored is null || stored.Revoked || !ApiKeys.Matches(token, stored.SecretHash))
            return AuthenticateResult.Fail("Unknown or revoked API key.");

        usage.Record(keyId);
        var identity = new ClaimsIdentity(
            [new Claim(ApiKeyAuthentication.CompanyClaim, stored.CompanyId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
             new Claim(ApiKeyAuthentication.KeyClaim, keyId)], ApiKeyAuthentication.Scheme);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), ApiKeyAuthentication.Scheme));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.Append(HeaderNames.WWWAuthenticate, Request.Headers.Authorization.Count == 0
            ? "Bearer"
            : "Bearer error=\"invalid_token\"");
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails =
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = "Unauthorized",
                Detail = Request.Headers.Authorization.Count == 0
                    ? "Missing API key. Send Authorization: Bearer <API_KEY>."
                    : "Invalid, unknown or revoked API key.",
            },
        });
    }
}

/// <summary>Collects which keys were used and writes last_used_at in one batch now and then, not per request.</summary>
internal sealed class KeyUsage(ContactsDatabase db, IOptionsMonitor<ApiKeyOptions> options, ILogger<KeyUsage> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, byte> _used = new();

    public void Record(string keyId) => _used.TryAdd(keyId, 0);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = TimeSpan.FromSeconds(Math.Max(1, options.Get(ApiKeyAuthentication.Scheme).LastUsedFlushSeconds));
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken)) await FlushAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
        }
        await FlushAsync(CancellationToken.None);
    }

    public async Task FlushAsync(CancellationToken ct)
    {
        var keys = _used.Keys.ToList();
        if (keys.Count == 0) return;
        foreach (var key in keys) _used.TryRemove(key, out _);
        try
        {
            await KeyQueries.TouchAsync(db, keys, DateTime.UtcNow, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Kept for the next flush (e.g. SQLite locked by a long import), so a use is late but never lost.
            foreach (var key in keys) _used.TryAdd(key, 0);
            logger.LogWarning(e, "Could not record last_used_at for {Count} keys; will retry at the next flush", keys.Count);
        }
    }
}
