using System.Globalization;
using Contacts.Api.Binding;
using Microsoft.Extensions.Primitives;

namespace Contacts.Api;

/// <summary>
/// RFC 8288 Link header with first, prev, next and last pages; every other query parameter is kept as sent. The URLs
/// are relative references (/api/v1/contacts?...), or absolute from Api:PublicBaseUrl when it is set: never built from
/// the Host header or scheme of the request, which a client or a proxy in between chooses.
/// </summary>
public static class LinkHeader
{
    public static void Add(HttpContext http, PageQuery query, long totalPages)
    {
        var target = ParameterBinding.Options(http).BaseUrl + http.Request.PathBase.ToUriComponent() + http.Request.Path.ToUriComponent();
        var links = new List<string> { Link(http, target, 1, "first") };
        if (query.Page > 1) links.Add(Link(http, target, Math.Min(query.Page - 1, Math.Max(totalPages, 1)), "prev"));
        if (query.Page < totalPages) links.Add(Link(http, target, query.Page + 1, "next"));
        if (totalPages > 0) links.Add(Link(http, target, totalPages, "last"));
        http.Response.Headers.Link = string.Join(", ", links);
    }

    private static string Link(HttpContext http, string target, long page, string rel)
    {
        var parameters = http.Request.Query
            .Where(p => p.Key != "page")
            .Append(new KeyValuePair<string, StringValues>("page", page.ToString(CultureInfo.InvariantCulture)));
        return $"<{target}{QueryString.Create(parameters)}>; rel=\"{rel}\"";
    }
}
