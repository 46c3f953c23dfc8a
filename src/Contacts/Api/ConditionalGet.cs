using System.Buffers.Text;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Contacts.Data;
using Contacts.Data.Changes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace Contacts.Api;

/// <summary>
/// ETag and If-None-Match (RFC 9110 8.8.3 and 13.1.2) on the API's GETs (docs/api.md#conditional-requests). The tag is
/// a hash of what decides the answer: the format version, the company, its <see cref="ChangeStamp"/> (position, history,
/// purge) and the request as the server read it. So a request whose If-None-Match holds the current tag is answered 304
/// from the stamp alone, one short statement, without reading the page. Weak: the identity and the compressed bodies
/// share it, and a feed page's next_cursor may carry another node's WAL position for the same data.
/// </summary>
public sealed class ConditionalGet
{
    /// <summary>Clients may keep the answer but must ask again before using it; no shared cache may store it.</summary>
    public const string CacheControl = "private, no-cache";

    // A deployment may change how a page is written: its answers never match the previous one's tags.
    private static readonly string Format = "v1;" +
        typeof(ConditionalGet).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    private readonly HttpContext _http;
    private readonly long _company;
    private readonly string _request;
    private readonly IList<EntityTagHeaderValue> _ifNoneMatch;

    private ConditionalGet(HttpContext http, long company, string request)
    {
        _http = http;
        _company = company;
        _request = request;
        // An unreadable If-None-Match reads as none: the full answer is always a correct one.
        _ifNoneMatch = http.Request.GetTypedHeaders().IfNoneMatch;
    }

    /// <param name="request">The parameters as the server read them (defaults applied), after the endpoint's route.</param>
    public static ConditionalGet For(HttpContext http, long company, string request) =>
        new(http, company, ((http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? http.Request.Path.Value) + "?" + request);

    public static StatusCodeHttpResult NotModified => TypedResults.StatusCode(StatusCodes.Status304NotModified);

    /// <summary>
    /// Before the page: true when If-None-Match names the company's current tag (then answer <see cref="NotModified"/>).
    /// Not for `*` alone, which asks whether the answer would be a 200 at all: that is known only after reading it.
    /// </summary>
    public async Task<bool> UnchangedAsync(ContactsDatabase db, CancellationToken ct)
    {
        if (!_ifNoneMatch.Any(tag => tag.Tag != EntityTagHeaderValue.Any.Tag)) return false;
        var tag = Tag(await ChangeStamp.ReadAsync(db, _company, ct));
        // Headers only on a match: otherwise the answer may yet be an error, which carries no tag.
        if (!Matches(tag)) return false;
        Send(tag);
        return true;
    }

    /// <summary>Sends the tag of the answer read with <paramref name="stamp"/>; true when If-None-Match matches it (answer 304).</summary>
    public bool Unchanged(ChangeStamp stamp)
    {
        var tag = Tag(stamp);
        Send(tag);
        return Matches(tag);
    }

    private bool Matches(EntityTagHeaderValue tag) =>
        _ifNoneMatch.Any(sent => sent.Tag == EntityTagHeaderValue.Any.Tag || sent.Compare(tag, useStrongComparison: false));

    private void Send(EntityTagHeaderValue tag)
    {
        _http.Response.GetTypedHeaders().ETag = tag;
        _http.Response.Headers.CacheControl = CacheControl;
    }

    private EntityTagHeaderValue Tag(ChangeStamp stamp)
    {
        var key = $"{Format}\n{_company}\n{stamp.History}\n{stamp.Position}\n{stamp.Purged}\n{_request}";
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        return new EntityTagHeaderValue("\"" + Base64Url.EncodeToString(hash.AsSpan(0, 16)) + "\"", isWeak: true);
    }
}
