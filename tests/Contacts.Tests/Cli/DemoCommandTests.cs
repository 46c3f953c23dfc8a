using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Contacts.Cli;
using Contacts.Tests.Infrastructure;

namespace Contacts.Tests.Cli;

/// <summary>The README's first command: demo data, a printed key, curl commands that work, then the server.</summary>
public sealed partial class DemoCommandTests
{
    [Fact]
    public async Task DemoPrintsAKeyAndCurlCommandsThatAnswerWithDemoData()
    {
        await using var database = await TestDatabase.SqliteAsync();
        var port = FreePort();
        var output = new StringWriter();
        var stdout = TextWriter.Synchronized(output);
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var run = ContactsCli.RunAsync(
            ["demo", .. database.CliOptions, $"--urls=http://127.0.0.1:{port}", "--Logging:LogLevel:Default=Warning"],
            stdout, TextWriter.Null, stop.Token);

        var curls = await WaitForCurlCommandsAsync(output, run);
        var key = KeyPattern().Match(output.ToString()).Value;
        Assert.StartsWith("ck_", key);
        Assert.Equal(2, curls.Count);
        using var client = new HttpClient();
        foreach (var (header, url) in curls)
        {
            Assert.Equal($"Authorization: Bearer {key}", header);
            using var response = await GetWhenListeningAsync(client, header, url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.True(body.RootElement.GetProperty("totalRecords").GetInt64() > 0, url);
        }

        var companies = await CompanyQueries.ListAsync(database.Db);
        Assert.InRange(Assert.Single(companies).Contacts, 900, 1100);

        await stop.CancelAsync();
        Assert.Equal(0, await run);
    }

    private static async Task<List<(string Header, string Url)>> WaitForCurlCommandsAsync(StringWriter output, Task<int> run)
    {
        for (var i = 0; i < 600 && !run.IsCompleted; i++)
        {
            var curls = CurlPattern().Matches(output.ToString()).Select(m => (m.Groups[1].Value, m.Groups[2].Value)).ToList();
            if (curls.Count == 2) return curls;
            await Task.Delay(100);
        }
        throw new Xunit.Sdk.XunitException($"demo printed no curl commands (exit: {(run.IsCompleted ? run.Result : "running")}):\n{output}");
    }

    private static async Task<HttpResponseMessage> GetWhenListeningAsync(HttpClient client, string header, string url)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.TryAddWithoutValidation("Authorization", header["Authorization: ".Length..]);
            try
            {
                return await client.SendAsync(request);
            }
            catch (HttpRequestException) when (attempt < 100)
            {
                await Task.Delay(100); // the server starts listening just after printing
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"curl -s -H '([^']+)' '([^']+)'")]
    private static partial Regex CurlPattern();

    [GeneratedRegex(@"ck_[0-9a-f]{12}_[0-9a-f]{64}")]
    private static partial Regex KeyPattern();
}
