using System.Diagnostics;
using System.Globalization;
using Contacts.Cli;
using Contacts.Tests.Cli;
using Contacts.Tests.Trust;

namespace Contacts.Tests.Operations;

/// <summary>A setting that cannot be read or breaks its rule stops `serve` before it listens, with one line naming the setting.</summary>
public sealed class SettingsValidationTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly TempFolder _folder = new();

    [Theory]
    [InlineData("Database:CommandTimeoutSeconds=ten", "not a whole number")]
    [InlineData("Database:CommandTimeoutSeconds=0", "between 1 and 3600")]
    [InlineData("Database:ConnectTimeoutSeconds=1.5", "not a whole number")]
    [InlineData("Database:MaxPoolSize=0", "between 1 and 1000")]
    [InlineData("Database:MigrateOnStart=yes", "not true or false")]
    [InlineData("Auth:CacheSeconds=60", "between 0 and 10")]
    [InlineData("Auth:CacheSeconds=ten", "'ten'")]
    [InlineData("Auth:LastUsedFlushSeconds=0", "between 1 and 86400")]
    [InlineData("RateLimits:PerKey:BucketSize=0", "between 1 and 1000000")]
    [InlineData("RateLimits:FailedAuthPerAddress:PermitsPerSecond=fast", "'fast'")]
    [InlineData("RateLimits:Enabled=maybe", "'maybe'")]
    [InlineData("Api:MaxLimit=0", "between 1 and 10000")]
    [InlineData("Health:ReadyTimeoutSeconds=0", "between")]
    [InlineData("Metrics:PrometheusPath=metrics", "must start with '/'")]
    [InlineData("Metrics:Port=70000", "between 1 and 65535")]
    [InlineData("Metrics:AllowRemote=sure", "'sure'")]
    [InlineData("Metrics:AllowedNetworks:0=office", "CIDR")]
    [InlineData("Metrics:FreshnessSampleSeconds=0", "between 0.1 and 3600")]
    [InlineData("Docs:AllowedNetworks:0=10.0.0.0/33", "CIDR")]
    [InlineData("OpenTelemetry:OtlpEndpoint=collector:4317", "absolute http(s) URL")]
    public async Task ServeStopsWithTheSettingsNameAndRule(string setting, string rule)
    {
        var name = setting[..setting.IndexOf('=', StringComparison.Ordinal)];
        using var stdout = new StringWriter(CultureInfo.InvariantCulture);
        using var stderr = new StringWriter(CultureInfo.InvariantCulture);
        // Should the setting be let through, the service would run: the bound stops it and the test fails on the exit code.
        using var stop = new CancellationTokenSource(Bound);

        var exit = await ContactsCli.RunAsync(
            ["serve", "--urls=http://127.0.0.1:0", "--provider", "sqlite", "--connection-string", $"Data Source={_folder.Path}/contacts.db", "--" + setting],
            stdout, stderr, stop.Token);

        var error = stderr.ToString().TrimEnd();
        Assert.True(exit == ContactsCli.BadInput, $"exit {exit}; stderr: {error}; stdout: {stdout}");
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error);
        Assert.Contains(name, error, StringComparison.Ordinal);
        Assert.Contains(rule, error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder.Path, "contacts.db")), "the database was opened before the settings were checked");
    }

    [Fact]
    public async Task MistypedNumberInTheEnvironmentStopsTheProcess()
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _folder.Path,
            ArgumentList = { ContactsProcess.Executable, "serve", "--urls=http://127.0.0.1:0" },
            Environment =
            {
                ["Database__CommandTimeoutSeconds"] = "ten",
                ["ConnectionStrings__Contacts"] = $"Data Source={_folder.Path}/contacts.db",
            },
        };
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var bound = new CancellationTokenSource(Bound);
        try
        {
            await process.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"serve kept running with Database__CommandTimeoutSeconds=ten: {await stdout}");
        }

        Assert.NotEqual(0, process.ExitCode);
        Assert.Equal("error: Database:CommandTimeoutSeconds: 'ten' is not a whole number.", (await stderr).TrimEnd());
    }

    public void Dispose() => _folder.Dispose();
}
