using Contacts.Data.Keys;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Contacts.Api;
using Contacts.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

#pragma warning disable CA1848, CA1873 // a warning when a last-used flush fails, once a minute at most

namespace Contacts.Auth;

internal sealed class ApiKeyHandler(
    IOptionsMonitor<ApiKeyOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    ContactsDatabase db, KeyCache keys, KeyUsage usage, PerKeyRateLimit limit)
    : AuthenticationHandler<ApiKeyOptions>(options, logger, encoder)
{
    // The failure messages are the 401's detail. The header's form is named (a first mistake is often the missing
    // scheme); the header itself is never echoed, and malformed, unknown, revoked and forged keys read alike, so that
    // the detail tells a guesser nothing about which key ids exist.
    private const string UseBearer = "use Authorization: Bearer <API_KEY>.";
    private const string Missing = "Missing API key. Send Authorization: Bearer <API_KEY>.";
    private const string SeveralHeaders = "More than one Authorization header: send one, Authorization: Bearer <API_KEY>.";
    private const string NoScheme = "The Authorization header has no scheme: " + UseBearer;
    private const string OtherScheme = "The Authorization header uses another scheme than Bearer: " + UseBearer;
    private const string NoKey = "The Authorization header has the Bearer scheme but no key: " + UseBearer;
    private const string InvalidKey = "Invalid, unknown or revoked API key.";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        // Probes, scrapes, the docs and unknown paths never read the header: a stranger's key costs them no database work.
        if (!ApiKeyAuthentication.RequiresKey(Context)) return AuthenticateResult.NoResult();
        var headers = Request.Headers.Authorization;
        if (headers.Count == 0) return AuthenticateResult.NoResult();
        if (headers.Count > 1) return AuthenticateResult.Fail(SeveralHeaders);
        var header = (headers[0] ?? "").Trim();
        const string bearer = "Bearer";
        if (!header.StartsWith(bearer, StringComparison.OrdinalIgnoreCase) || header.Length > bearer.Length && !char.IsWhiteSpace(header[bearer.Length]))
            return AuthenticateResult.Fail(header.Any(char.IsWhiteSpace) ? OtherScheme : NoScheme);
        var token = header[bearer.Length..].Trim();
        if (token.Length == 0) return AuthenticateResult.Fail(NoKey);
        if (!ApiKeys.TryParse(token, out var keyId)) return AuthenticateResult.Fail(InvalidKey);

        if (!keys.TryGet(keyId, out var stored))
        {
            // The address's failed-authentication bucket is checked before the lookup, not only after it (the limiter then answers 429).
            if (limit.FailedAuthExhausted(Context))
                return AuthenticateResult.Fail("Too many failed authentications from this address.");
            stored = await KeyQueries.FindAsync(db, keyId, Context.RequestAborted);
            keys.Remember(keyId, stored);
        }
        if (stored is null || stored.Revoked || !ApiKeys.Matches(token, stored.SecretHash))
            return AuthenticateResult.Fail(InvalidKey);

        usage.Record(keyId);
        var identity = new ClaimsIdentity(
            [new Claim(ApiKeyAuthentication.CompanyClaim, stored.CompanyId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
             new Claim(ApiKeyAuthentication.KeyClaim, keyId)], ApiKeyAuthentication.Scheme);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), ApiKeyAuthentication.Scheme));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        // The result authentication already reached for this request (cached): no second look at the key. Not the Safe
        // variant, which would turn a database failure's exception text into this body.
        var detail = (await HandleAuthenticateOnceAsync()).Failure?.Message ?? Missing;
        // RFC 6750 3.1: no error code when no Bearer credentials were sent (no header, another scheme); invalid_request
        // for a malformed request, invalid_token for a key that does not authenticate.
        Response.Headers.Append(HeaderNames.WWWAuthenticate, detail switch
        {
            Missing or NoScheme or OtherScheme => "Bearer",
            NoKey or SeveralHeaders => "Bearer error=\"invalid_request\"",
            _ => "Bearer error=\"invalid_token\"",
        });
        await Problems.Unauthorized(detail).ExecuteAsync(Context);
    }
}
