using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Contacts.Tests.Infrastructure;

/// <summary>A second web server on its own loopback port: the origin of a browser app that calls the API from elsewhere.</summary>
public sealed class PageServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private PageServer(WebApplication app, string origin)
    {
        _app = app;
        Origin = origin;
    }

    /// <summary>http://127.0.0.1:port, as the browser sends it in Origin.</summary>
    public string Origin { get; }

    public static async Task<PageServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapGet("/", () => Results.Content("<!doctype html><html><head><title>An app on another origin</title></head><body></body></html>", "text/html"));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new PageServer(app, new Uri(address).GetLeftPart(UriPartial.Authority));
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
