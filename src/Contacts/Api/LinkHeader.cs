using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Extensions.Primitives;

namespace Contacts.Api;

/// <summary>RFC 8288 Link header with first, prev, next and last pages; every other query parameter is kept as sent.</summary>
public static class LinkHeader
{
    public static void Add(HttpContext http, PageQuery query, long totalPages)
    {
        var links = new List<string> { Link(http, 1, "first") };
        if (query.Page > 1) links.Add(Link(http, Math.Min(query.Page - 1, Math.Max(totalPages, 1)), "prev"));
        if (query.Page < totalPages) links.Add(Link(http, query.Page + 1, "next"));
        if (totalPages > 0) links.Add(Link(http, totalPages, "last"));
        http.Response.Headers.Link = string.Join(", ", links);
    }

    private static string Link(HttpContext http, long page, string rel)
    {
        var parameters = http.Request.Query
            .Where(p => p.Key != "page")
            .Append(new KeyValuePair<string, StringValues>("page", page.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var request = http.Request;
        var url = UriHelper.BuildAbsolute(request.Scheme, request.Host, request.PathBase, request.Path, QueryString.Create(parameters));
        return $"<{url}>; rel=\"{rel}\"";
    }
}
