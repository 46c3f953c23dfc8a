using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Contacts.Cli;
using Contacts.Data;
using Contacts.Tests.Infrastructure;
using Contacts.Tests.Trust;

namespace Contacts.Tests.Cli;

/// <summary>The README's first command: demo data, a printed key, curl commands that work, then the server.</summary>
public sealed partial class DemoCommandTests
{
    [Fact]
    public async Task DemoPrintsAKeyAndCurlCommandsThatAnswerWithDemoData()
    {
        await using var database = await TestDatabase.SqliteAsync();
        var output = new StringWriter();
        var stdout = TextWriter.Synchronized(output);
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var run = ContactsCli.RunAsync(
            ["demo", .. database.CliOptions, "--urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"],
            stdout, TextWriter.Null, stop.Token);

        var curls = await WaitForCurlCommandsAsync(output, run);
        var key = KeyPattern().Match(output.ToString()).Value;
        Assert.StartsWith("ck_", key);
        Assert.Equal(2, curls.Count);
        using var client = new HttpClient();
        foreach (var (header, url) in curls)
        {
            Assert.Equal($"Authorization: Bearer {key}", header);
            using var response = await GetAsync(client, header, url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.True(body.RootElement.GetProperty("totalRecords").GetInt64() > 0, url);
        }

        var companies = await CompanyQueries.ListAsync(database.Db);
        Assert.InRange(Assert.Single(companies).Contacts, 900, 1100);

        await stop.CancelAsync();
        Assert.Equal(0, await run);
    }

    [Theory]
    [InlineData("--urls", "http://127.0.0.1:0")]                 // the port the kernel picks, not :0
    [InlineData("--Kestrel:Endpoints:Api:Url=http://127.0.0.1:0")] // Kestrel's own endpoints, not the default :5000
    public async Task DemoPrintsTheAddressTheServerReallyListensOn(params string[] args)
    {
        await using var database = await TestDatabase.SqliteAsync();

        await using var demo = await Demo.StartAsync(database, args);

        var listening = Assert.Single(demo.Listening);
        Assert.Matches(@"^http://127\.0\.0\.1:[1-9][0-9]*$", listening);
        Assert.All(demo.Curls, c => Assert.StartsWith($"{listening}/api/v1/", c.Url, StringComparison.Ordinal));
        using var client = new HttpClient();
        using var response = await GetAsync(client, demo.Curls[0].Header, demo.Curls[0].Url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task DemoWithAspNetCoreHttpPortsPrintsThatPortOnThisMachine()
    {
        await using var database = await TestDatabase.SqliteAsync();

        // The official container images' setting, as an environment variable of a real process; 0: the kernel picks the port.
        await using var demo = ContactsProcess.Start(new Dictionary<string, string> { ["ASPNETCORE_HTTP_PORTS"] = "0" },
            ["demo", .. database.CliOptions, "--Logging:LogLevel:Default=Warning"]);
        var printed = await WaitForAsync(() => CurlPattern().Count(demo.Stdout) == 2, demo);

        var url = CurlPattern().Match(demo.Stdout).Groups[2].Value;
        Assert.Matches(@"^http://localhost:[1-9][0-9]*/api/v1/", url);
        Assert.Contains("Listening on http://[::]:", demo.Stdout, StringComparison.Ordinal);
        using var client = new HttpClient();
        using var response = await GetAsync(client, CurlPattern().Match(demo.Stdout).Groups[1].Value, url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(printed);
    }

    [Fact]
    public async Task DemoThatCannotListenFailsBeforeTouchingAnyKey()
    {
        await using var database = await TestDatabase.SqliteAsync();
        var (company, firstKey) = await FirstRunAsync(database);
        var before = await KeyQueries.ListAsync(database.Db, company.Id);

        // https without a certificate: the server cannot start.
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await ContactsCli.RunAsync(["demo", .. database.CliOptions, "--urls=https://127.0.0.1:0", "--Logging:LogLevel:Default=None"],
            TextWriter.Synchronized(output), TextWriter.Synchronized(error));

        Assert.Equal(ContactsCli.Failed, exit);
        Assert.Contains("certificate", error.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("ck_", output.ToString(), StringComparison.Ordinal);
        var after = await KeyQueries.ListAsync(database.Db, company.Id);
        Assert.Equal(before.Select(k => (k.Id, k.RevokedAt)), after.Select(k => (k.Id, k.RevokedAt)));
        Assert.Contains(after, k => k.Id == Id(firstKey) && k.RevokedAt is null);
    }

    [Fact]
    public async Task EachDemoRunRevokesTheDemoKeyOfTheRunBeforeAndNoOtherKey()
    {
        await using var database = await TestDatabase.SqliteAsync();
        var (company, firstKey) = await FirstRunAsync(database);
        var other = await KeyQueries.CreateAsync(database.Db, company.Id, "crm-sync");

        await using var second = await Demo.StartAsync(database, "--urls=http://127.0.0.1:0");

        Assert.NotEqual(firstKey, second.Key);
        Assert.Contains("previous run is revoked", second.Output, StringComparison.Ordinal);
        var active = (await KeyQueries.ListAsync(database.Db, company.Id)).Where(k => k.RevokedAt is null).Select(k => k.Id).Order();
        Assert.Equal(new[] { Id(second.Key), other.Id }.Order(), active);
        using var client = new HttpClient();
        var url = second.Curls[0].Url;
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(client, second.Curls[0].Header, url)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(client, $"Authorization: Bearer {firstKey}", url)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(client, $"Authorization: Bearer {other.Key}", url)).StatusCode);
    }

    [Theory]
    [InlineData(null, "http://localhost:5000")]
    [InlineData("http://0.0.0.0:8080", "http://localhost:8080")]
    [InlineData("http://+:8080/;https://+:8443", "http://localhost:8080")]
    [InlineData("http://[::]:5100", "http://localhost:5100")]
    [InlineData(" https://*:9443 ; http://*:9080", "https://localhost:9443")]
    public void CurlCommandsCallTheFirstListeningAddressOnThisMachine(string? urls, string expected) =>
        Assert.Equal(expected, DemoCommand.CurlBaseUrl(urls));

    /// <summary>A demo run, stopped: the demo company and the key it printed.</summary>
    private static async Task<(CompanyRow Company, string Key)> FirstRunAsync(TestDatabase database)
    {
        string key;
        await using (var first = await Demo.StartAsync(database, "--urls=http://127.0.0.1:0"))
        {
            key = first.Key;
        }
        return (Assert.Single(await CompanyQueries.ListAsync(database.Db)), key);
    }

    private static string Id(string key) => ApiKeys.TryParse(key, out var id) ? id : throw new ArgumentException(key);

    /// <summary>A running `contacts demo`, stopped (and its exit code checked) on dispose.</summary>
    private sealed class Demo : IAsyncDisposable
    {
        private readonly StringWriter _output = new();
        private readonly CancellationTokenSource _stop = new(TimeSpan.FromMinutes(2));
        private Task<int> _run = Task.FromResult(0);

        public List<(string Header, string Url)> Curls { get; private set; } = [];
        public string Key => KeyPattern().Match(Output).Value;
        public string Output => _output.ToString();
        public string[] Listening => ListeningPattern().Match(Output).Groups[1].Value.Split(", ");

        public static async Task<Demo> StartAsync(TestDatabase database, params string[] args)
        {
            var demo = new Demo();
            demo._run = ContactsCli.RunAsync(["demo", .. database.CliOptions, .. args, "--Logging:LogLevel:Default=Warning"],
                TextWriter.Synchronized(demo._output), TextWriter.Null, demo._stop.Token);
            demo.Curls = await WaitForCurlCommandsAsync(demo._output, demo._run);
            return demo;
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            Assert.Equal(0, await _run);
            _stop.Dispose();
        }
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

    /// <summary>No retry: demo prints its commands once the server listens.</summary>
    private static async Task<HttpResponseMessage> GetAsync(HttpClient client, string header, string url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("Authorization", header["Authorization: ".Length..]);
        return await client.SendAsync(request);
    }

    private static async Task<bool> WaitForAsync(Func<bool> condition, ContactsProcess process)
    {
        for (var i = 0; i < 600 && !process.HasExited; i++)
        {
            if (condition()) return true;
            await Task.Delay(100);
        }
        throw new Xunit.Sdk.XunitException($"demo printed no curl commands: {process}");
    }

    [GeneratedRegex("^Listening on (.+)$", RegexOptions.Multiline)]
    private static partial Regex ListeningPattern();

    [GeneratedRegex(@"curl -s -H '([^']+)' '([^']+)'")]
    private static partial Regex CurlPattern();

    [GeneratedRegex(@"ck_[0-9a-f]{12}_[0-9a-f]{64}")]
    private static partial Regex KeyPattern();
}
