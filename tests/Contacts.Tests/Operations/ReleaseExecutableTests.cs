using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Contacts.Tests.Cli;
using Contacts.Tests.Infrastructure;
using Contacts.Tests.Trust;
using Xunit.Abstractions;

namespace Contacts.Tests.Operations;

/// <summary>
/// The release artifact (one self-contained file for linux-x64, published once per run by <see cref="PublishedExecutable"/>)
/// run as an operator runs it: migrate a fresh database, create a company and a key, serve, answer one request with the key.
/// </summary>
[Collection(ReleaseArtifact.Name)]
public abstract class ReleaseExecutableTests(PublishedExecutable release, ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(1);

    /// <summary>--provider and --connection-string of an empty database, never migrated.</summary>
    protected abstract Task<string[]> FreshDatabaseAsync();

    [SkippableFact]
    public async Task PublishedFileMigratesAFreshDatabaseThenServesAnAuthenticatedRequest()
    {
        var database = await FreshDatabaseAsync();
        output.WriteLine($"publish (once per run): {release.PublishTime.TotalSeconds:0.0} s");
        // One file: no assembly, runtime or native library beside it (what the operator installs, docs/operations.md).
        Assert.Equal(["appsettings.json", "contacts", "contacts.staticwebassets.endpoints.json"],
            Directory.GetFiles(Path.GetDirectoryName(release.Executable)!).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var watch = Stopwatch.StartNew();

        var migrate = await RunAsync(["migrate", "--json", .. database]);
        var company = await RunAsync(["company", "create", "--name", "Release", "--json", .. database]);
        var key = await RunAsync(["key", "create", "--company", company.Text("id"), "--json", .. database]);
        await using (var service = ContactsProcess.StartPublished(release.Executable, new Dictionary<string, string>(),
                         ["serve", "--urls=http://127.0.0.1:0", .. database, "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information"]))
        {
            var address = await service.ListeningAddressAsync(Bound);
            using var client = new HttpClient { BaseAddress = address };
            client.DefaultRequestHeaders.Authorization = new("Bearer", key.Text("key"));
            using var response = await client.GetAsync(new Uri("/api/v1/contacts", UriKind.Relative));

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal(0, body.RootElement.GetProperty("totalRecords").GetInt64());
        }
        Assert.NotEmpty(migrate.GetProperty("applied").EnumerateArray());
        output.WriteLine($"migrate, company, key, serve and one request: {watch.Elapsed.TotalSeconds:0.0} s");
    }

    private async Task<JsonElement> RunAsync(string[] args)
    {
        var result = await ToolProcess.RunAsync(release.Executable, args, Path.GetTempPath(), Bound);
        Assert.True(result.ExitCode == 0, $"contacts {string.Join(' ', args)} exited {result.ExitCode}:\n{result.Output}");
        using var json = JsonDocument.Parse(result.Stdout);
        return json.RootElement.Clone();
    }
}

public sealed class SqliteReleaseExecutableTests(PublishedExecutable release, ITestOutputHelper output)
    : ReleaseExecutableTests(release, output), IDisposable
{
    private readonly TempFolder _folder = new();

    protected override Task<string[]> FreshDatabaseAsync() =>
        Task.FromResult<string[]>(["--provider", "sqlite", "--connection-string", $"Data Source={Path.Combine(_folder.Path, "contacts.db")}"]);

    public void Dispose() => _folder.Dispose();
}

public sealed class PostgresReleaseExecutableTests(PublishedExecutable release, ITestOutputHelper output)
    : ReleaseExecutableTests(release, output)
{
    protected override async Task<string[]> FreshDatabaseAsync()
    {
        var server = await PostgresServer.SharedAsync();
        Ci.SkipIf(server.UnavailableReason is not null, server.UnavailableReason);
        // A patient connect: the machine may be busy publishing or building beside the test.
        return ["--provider", "postgres", "--connection-string", await server.CreateDatabaseAsync() + ";Timeout=30"];
    }
}
