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
    // Names spelled out: a number or a stray space is not a name, and RowLevelSecurity=1 used to start with the policies off.
    [InlineData("Database:RowLevelSecurity=1", "'1' is not one of: Required, Off")]
    [InlineData("Database:RowLevelSecurity=0", "'0' is not one of: Required, Off")]
    [InlineData("Database:RowLevelSecurity= off", "' off' is not one of: Required, Off")]
    [InlineData("Database:RowLevelSecurity=Off ", "'Off ' is not one of: Required, Off")]
    [InlineData("Database:RowLevelSecurity=", "'' is not one of: Required, Off")]
    [InlineData("Database:Provider=1", "'1' is not one of: Sqlite, Postgres")]
    [InlineData("Database:Provider= sqlite", "' sqlite' is not one of: Sqlite, Postgres")]
    // Ranges refuse what used to be clamped or let through.
    [InlineData("Database:ConnectTimeoutSeconds=0", "between 1 and 3600")]
    [InlineData("Database:MaxPoolSize=1001", "between 1 and 1000")]
    [InlineData("Database:MaxReplicaLagSeconds=NaN", "'NaN' is not a number")]
    [InlineData("Database:MaxReplicaLagSeconds=Infinity", "'Infinity' is not a number")]
    [InlineData("Database:MaxReplicaLagSeconds=0", "between 0 exclusive")]
    [InlineData("DatabaseShare:ConcurrentRequests=0", "between 1 and")]
    [InlineData("DatabaseShare:ConcurrentRequestsPerCompany=0", "between 1 and")]
    [InlineData("DatabaseShare:QueuedRequestsPerCompany=-1", "between 0 and")]
    [InlineData("DatabaseShare:MaxQueueSeconds=0", "between 0 exclusive")]
    [InlineData("DatabaseShare:MaxQueueSeconds=NaN", "'NaN'")]
    [InlineData("DatabaseShare:Enabled=maybe", "'maybe'")]
    [InlineData("Database:ReplicaTimeoutSeconds=0.1", "between 0.2 and 60")]
    [InlineData("Database:ReplicaTimeoutSeconds=NaN", "'NaN' is not a number")]
    [InlineData("RateLimits:PerKey:PermitsPerSecond=NaN", "'NaN'")]
    [InlineData("RateLimits:PerKey:PermitsPerSecond=0", "between 0 exclusive")]
    [InlineData("Sync:HistoryDays=-1", "between 0 and 36500")]
    [InlineData("Sync:HistoryDays=thirty", "'thirty' is not a whole number")]
    [InlineData("Sync:PurgeIntervalMinutes=0", "between 1 and 1440")]
    [InlineData("Health:ReadyCacheSeconds=61", "between 0 and 60")]
    [InlineData("Health:ReadyTimeoutSeconds=NaN", "'NaN' is not a number")]
    [InlineData("Api:MaxLimit=ten", "'ten' is not a whole number")]
    [InlineData("Api:PublicBaseUrl=ftp://contacts.example.com", "absolute http or https URL")]
    [InlineData("Api:Cors:AllowedOrigins:0=https://app.example.com/path", "Api:Cors:AllowedOrigins:0: 'https://app.example.com/path' is not an origin")]
    [InlineData("Api:Cors:AllowedOrigins:0=*", "is not an origin")]
    [InlineData("Api:Cors:AllowedOrigins:0=app.example.com", "is not an origin")]
    [InlineData("Docs:AllowRemote=nope", "'nope' is not true or false")]
    [InlineData("Docs:AllowedNetworks:0=10.0.0.0/8 x", "CIDR")]
    [InlineData("Docs:Enabled=maybe", "'maybe'")]
    [InlineData("Metrics:Enabled=maybe", "'maybe'")]
    public async Task ServeStopsWithTheSettingsNameAndRule(string setting, string rule)
    {
        var name = setting[..setting.IndexOf('=', StringComparison.Ordinal)];
        // --provider would win over the setting under test.
        string[] provider = name == "Database:Provider" ? [] : ["--provider", "sqlite"];
        using var stdout = new StringWriter(CultureInfo.InvariantCulture);
        using var stderr = new StringWriter(CultureInfo.InvariantCulture);
        // Should the setting be let through, the service would run: the bound stops it and the test fails on the exit code.
        using var stop = new CancellationTokenSource(Bound);

        var exit = await ContactsCli.RunAsync(
            ["serve", "--urls=http://127.0.0.1:0", .. provider, "--connection-string", $"Data Source={_folder.Path}/contacts.db", "--" + setting],
            stdout, stderr, stop.Token);

        var error = stderr.ToString().TrimEnd();
        Assert.True(exit == ContactsCli.BadInput, $"exit {exit}; stderr: {error}; stdout: {stdout}");
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error);
        Assert.Contains(name, error, StringComparison.Ordinal);
        Assert.Contains(rule, error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder.Path, "contacts.db")), "the database was opened before the settings were checked");
    }

    /// <summary>The strict reading refuses what is malformed, not what is merely written differently.</summary>
    [Theory]
    [InlineData("Database:RowLevelSecurity=off")]
    [InlineData("Database:RowLevelSecurity=REQUIRED")]
    [InlineData("Database:Provider=SQLite")]
    [InlineData("Database:CommandTimeoutSeconds= 30 ")]
    [InlineData("Database:MaxReplicaLagSeconds=0.5")]
    [InlineData("Database:ReplicaTimeoutSeconds=1")]
    [InlineData("Health:ReadyCacheSeconds=0.5")]
    [InlineData("Health:ReadyCacheSeconds=0")]
    [InlineData("RateLimits:PerKey:PermitsPerSecond=0.5")]
    [InlineData("DatabaseShare:ConcurrentRequestsPerCompany=")]
    [InlineData("Metrics:Port=")]
    [InlineData("Sync:HistoryDays=0")]
    [InlineData("Docs:AllowRemote=False")]
    public async Task WellFormedValuesInAnyCaseOrWithSpacesAroundNumbersAreAccepted(string setting)
    {
        await using var app = ContactsApp.Build(["--urls=http://127.0.0.1:0", $"--ConnectionStrings:Contacts=Data Source={_folder.Path}/contacts.db", "--" + setting]);
        Assert.NotNull(app);
    }

    [Theory]
    [InlineData("Database__CommandTimeoutSeconds", "ten", "error: Database:CommandTimeoutSeconds: 'ten' is not a whole number.")]
    [InlineData("Database__RowLevelSecurity", "1", "error: Database:RowLevelSecurity: '1' is not one of: Required, Off.")]
    [InlineData("Database__RowLevelSecurity", " off", "error: Database:RowLevelSecurity: ' off' is not one of: Required, Off.")]
    public async Task AMistypedSettingInTheEnvironmentStopsTheProcessWithOneLineNamingIt(string variable, string value, string expected)
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
                [variable] = value,
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
            Assert.Fail($"serve kept running with {variable}={value}: {await stdout}");
        }

        Assert.NotEqual(0, process.ExitCode);
        Assert.Equal(expected, (await stderr).TrimEnd());
    }

    public void Dispose() => _folder.Dispose();
}
