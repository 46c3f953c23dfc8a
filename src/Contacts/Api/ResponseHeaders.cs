namespace Contacts.Api;

public static class ResponseHeaders
{
    /// <summary>
    /// nosniff everywhere; no-store but on the API's own 200 and 304 answers: errors, the documents and the probes are never
    /// worth keeping. The API's 200 and 304 answers say `private, no-cache` (<see cref="ConditionalGet"/>, docs/api.md).
    /// </summary>
    public static IApplicationBuilder UseResponseHeaders(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        http.Response.OnStarting(() =>
        {
            http.Response.Headers.XContentTypeOptions = "nosniff";
            if (http.Response.Headers.CacheControl != ConditionalGet.CacheControl) http.Response.Headers.CacheControl = "no-store";
            return Task.CompletedTask;
        });
        return next(http);
    });
}
