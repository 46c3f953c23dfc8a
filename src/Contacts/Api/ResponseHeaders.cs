namespace Contacts.Api;

public static class ResponseHeaders
{
    /// <summary>nosniff everywhere; no-store because every payload is personal data or about a key.</summary>
    public static IApplicationBuilder UseResponseHeaders(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        http.Response.OnStarting(() =>
        {
            http.Response.Headers.XContentTypeOptions = "nosniff";
            http.Response.Headers.CacheControl = "no-store";
            return Task.CompletedTask;
        });
        return next(http);
    });
}
