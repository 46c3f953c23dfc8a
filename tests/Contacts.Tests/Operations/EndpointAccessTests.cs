using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Contacts.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Contacts.Tests.Operations;

/// <summary>
/// /metrics answers loopback clients only unless the operator allows more; the docs page and document are public unless
/// the operator restricts them. A remote client is this machine's own non-loopback address: the service listens on it
/// too, and a connection to it arrives from it, so the service sees a client that is not on loopback.
/// </summary>
public sealed class EndpointAccessTests : IAsyncLifetime
{
    private static readonly IPAddress? Remote = NonLoopbackAddress();
    private TestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await TestDatabase.SqliteAsync();

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [SkippableFact]
    public async Task MetricsAnswerLoopbackOnlyByDefaultWhileDocsAndProbesAnswerAnyone()
    {
        await using var app = await StartAsync();
        using var local = Client(app, IPAddress.Loopback);
        using var remote = Client(app, Remote!);

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(local, "/metrics"));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(remote, "/metrics"));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(remote, "/openapi/v1.json"));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(remote, "/docs"));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(remote, "/health/live"));
    }

    [SkippableFact]
    public async Task MetricsAnswerClientsInAnAllowedNetwork()
    {
        await using var app = await StartAsync($"--Metrics:AllowedNetworks:0={Remote}/32");

        using var remote = Client(app, Remote!);

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(remote, "/metrics"));
    }

    [SkippableFact]
    public async Task MetricsAnswerAnyoneWhenRemoteAccessIsAllowed()
    {
        await using var app = await StartAsync("--Metrics:AllowRemote=true");

        using var remote = Client(app, Remote!);

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(remote, "/metrics"));
    }

    [SkippableFact]
    public async Task MetricsPortAnswersAnyClientThatReachesIt()
    {
        Skip.If(Remote is null && !IsCi, "this machine has no non-loopback IPv4 address to act as a remote client");
        Assert.True(Remote is not null, "CI: no non-loopback IPv4 address to act as a remote client");
        // Bound to port 0 here and handed to Kestrel as it is: Metrics:Port needs the number before the service starts,
        // and the port is never free in between for another process to take.
        using var metricsSocket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        metricsSocket.Bind(new IPEndPoint(Remote, 0));
        metricsSocket.Listen();
        var port = ((IPEndPoint)metricsSocket.LocalEndPoint!).Port;
        await using var app = await TestApp.StartAsync(_database, builder => builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0);
            kestrel.ListenHandle((ulong)metricsSocket.SafeHandle.DangerousGetHandle());
        }), $"--Metrics:Port={port}");

        using var remote = Client(app, Remote!);
        using var local = Client(app, IPAddress.Loopback);

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(remote, "/metrics"));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(local, "/metrics"));
    }

    [SkippableFact]
    public async Task DocsCanBeKeptToLoopbackAndAllowedNetworks()
    {
        await using var restricted = await StartAsync("--Docs:AllowRemote=false");
        using (var local = Client(restricted, IPAddress.Loopback))
        using (var remote = Client(restricted, Remote!))
        {
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(local, "/openapi/v1.json"));
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(local, "/docs"));
            Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(remote, "/openapi/v1.json"));
            Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(remote, "/docs"));
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(remote, "/health/live"));
        }

        await using var office = await StartAsync("--Docs:AllowRemote=false", $"--Docs:AllowedNetworks:0={Remote}/32");
        using var fromOffice = Client(office, Remote!);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(fromOffice, "/openapi/v1.json"));
    }

    private async Task<TestApp> StartAsync(params string[] settings)
    {
        Skip.If(Remote is null && !IsCi, "this machine has no non-loopback IPv4 address to act as a remote client");
        Assert.True(Remote is not null, "CI: no non-loopback IPv4 address to act as a remote client");
        return await TestApp.StartAsync(_database, [$"--urls=http://127.0.0.1:0;http://{Remote}:0", .. settings]);
    }

    private static HttpClient Client(TestApp app, IPAddress listener)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        return new HttpClient { BaseAddress = new Uri(addresses.Single(a => new Uri(a).Host == listener.ToString())) };
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        return response.StatusCode;
    }

    private static bool IsCi => Environment.GetEnvironmentVariable("CI") is { Length: > 0 } ci && ci != "0" && !ci.Equals("false", StringComparison.OrdinalIgnoreCase);

    private static IPAddress? NonLoopbackAddress() => NetworkInterface.GetAllNetworkInterfaces()
        .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
        .SelectMany(n => n.GetIPProperties().UnicastAddresses)
        .Select(a => a.Address)
        .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
}
