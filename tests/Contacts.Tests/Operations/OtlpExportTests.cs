using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using Contacts.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Contacts.Tests.Operations;

/// <summary>
/// With an OTLP endpoint configured (ours or the standard OTEL_* variables), the service pushes the request's
/// trace and its metrics there. The collector is a real HTTP listener on loopback that keeps what it receives.
/// </summary>
public sealed class OtlpExportTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData("--OpenTelemetry:OtlpEndpoint={0}", "--OpenTelemetry:OtlpProtocol=http/protobuf")]
    [InlineData("--OTEL_EXPORTER_OTLP_ENDPOINT={0}", "--OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf")]
    public async Task ConfiguredEndpointReceivesTheRequestTraceAndMetrics(string endpointSetting, string protocolSetting)
    {
        await using var collector = await Collector.StartAsync();
        await using var database = await TestDatabase.SqliteAsync();
        await using var app = await TestApp.StartAsync(database, string.Format(System.Globalization.CultureInfo.InvariantCulture, endpointSetting, collector.Address),
            protocolSetting, "--OTEL_BSP_SCHEDULE_DELAY=100", "--OTEL_METRIC_EXPORT_INTERVAL=200");
        var company = await new TestData(database).CompanyAsync();
        using var client = app.ClientWithKey(company.Key);
        var traceId = ActivityTraceId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/v1/contacts", UriKind.Relative));
        request.Headers.Add("traceparent", $"00-{traceId.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var traceBytes = Convert.FromHexString(traceId.ToHexString());
        await collector.WaitForAsync("/v1/traces", body => body.AsSpan().IndexOf(traceBytes) >= 0, Bound);
        await collector.WaitForAsync("/v1/metrics", body => Encoding.UTF8.GetString(body).Contains("http.server.request.duration", StringComparison.Ordinal), Bound);
    }

    private sealed class Collector(WebApplication app, string address) : IAsyncDisposable
    {
        private readonly ConcurrentQueue<(string Path, byte[] Body)> _received = new();

        public string Address => address;

        public static async Task<Collector> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder(["--urls=http://127.0.0.1:0"]);
            builder.Logging.ClearProviders();
            var app = builder.Build();
            Collector? collector = null;
            app.MapPost("/v1/{signal}", async (HttpContext http) =>
            {
                using var body = new MemoryStream();
                await http.Request.Body.CopyToAsync(body);
                collector!._received.Enqueue((http.Request.Path.Value!, body.ToArray()));
                http.Response.ContentType = "application/x-protobuf";
            });
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            collector = new Collector(app, address);
            return collector;
        }

        public async Task WaitForAsync(string path, Func<byte[], bool> match, TimeSpan bound)
        {
            var deadline = DateTime.UtcNow + bound;
            while (!_received.Any(r => r.Path == path && match(r.Body)))
            {
                Assert.True(DateTime.UtcNow < deadline,
                    $"nothing matching on {path} within {bound.TotalSeconds} s; received: {string.Join(", ", _received.Select(r => r.Path))}");
                await Task.Delay(100);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
