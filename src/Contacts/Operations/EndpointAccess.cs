namespace Contacts.Operations;

public static class EndpointAccess
{
    /// <summary>Before authentication: a refused client costs nothing more than a 404.</summary>
    public static IApplicationBuilder UseEndpointAccess(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        if (http.GetEndpoint()?.Metadata.GetMetadata<EndpointAccessPolicy>() is not { } policy || policy.Allows(http.Connection)) return next(http);
        http.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    });
}
