using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Contacts.Tests.Infrastructure;

/// <summary>The real service on a loopback port (Kestrel, real HTTP), over a real database.</summary>
public sealed class TestApp : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestApp(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
        Client = new HttpClient { BaseAddress = address };
    }

    public Uri Address { get; }
    public HttpClient Client { get; }
    public IServiceProvider Services => _app.Services;

    public static Task<TestApp> StartAsync(TestDatabase database, params string[] settings) =>
        StartAsync(database, null, settings);

    public static async Task<TestApp> StartAsync(TestDatabase database, Action<WebApplicationBuilder>? configure, params string[] settings)
    {
        string[] args =
        [
            "--urls=http://127.0.0.1:0",
            $"--Database:Provider={database.ProviderName}",
            $"--ConnectionStrings:Contacts={database.ConnectionString}",
            "--Logging:LogLevel:Default=Warning",
            .. settings,
        ];
        var app = ContactsApp.Build(args, configure);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TestApp(app, new Uri(address));
    }

    public HttpClient ClientWithKey(string key)
    {
        var client = new HttpClient { BaseAddress = Address };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
