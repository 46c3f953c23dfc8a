using System.Net;
using System.Text.Json;
using Contacts.Tests.Cli;
using Contacts.Tests.Infrastructure;
using Contacts.Tests.Trust;

namespace Contacts.Tests.Operations;

/// <summary>
/// deploy/contacts.service and deploy/contacts.env.example, as docs/operations.md installs them beside the release
/// build: the unit passes systemd's own verification, and its commands, with its environment and the example's
/// settings (the database pointed at a throwaway PostgreSQL), migrate, serve and answer a request with a key.
/// </summary>
[Collection(ReleaseArtifact.Name)]
public sealed class ServiceUnitTests(PublishedExecutable release) : IDisposable
{
    private const string SystemdAnalyze = "/usr/bin/systemd-analyze";
    private const string InstalledExecutable = "/opt/contacts/contacts";
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(1);
    private static readonly string Deploy = Path.Combine(ToolProcess.RepositoryRoot(), "deploy");
    private readonly TempFolder _folder = new();

    [SkippableFact]
    public async Task UnitPassesSystemdVerificationWithoutAWarning()
    {
        Ci.SkipIf(!File.Exists(SystemdAnalyze), $"{SystemdAnalyze} not found: install Debian's systemd package to verify the unit file.");
        var unit = _folder.Write("contacts.service", File.ReadAllText(Path.Combine(Deploy, "contacts.service")).Replace(InstalledExecutable, release.Executable, StringComparison.Ordinal));

        var verify = await ToolProcess.RunAsync(SystemdAnalyze, ["verify", "--man=no", unit], _folder.Path, Bound);

        Assert.True(verify.ExitCode == 0 && verify.Output.Trim().Length == 0, $"systemd-analyze verify exited {verify.ExitCode}:\n{verify.Output}");
    }

    [SkippableFact]
    public async Task UnitCommandsWithTheExampleSettingsMigrateThenServePostgres()
    {
        var server = await PostgresServer.SharedAsync();
        Ci.SkipIf(server.UnavailableReason is not null, server.UnavailableReason);
        var database = await server.CreateDatabaseAsync() + ";Timeout=30"; // a patient connect on a busy machine
        var service = Section(File.ReadLines(Path.Combine(Deploy, "contacts.service")), "[Service]");
        var environment = Settings(File.ReadLines(Path.Combine(Deploy, "contacts.env.example")));
        foreach (var line in service.Where(l => l.Key == "Environment")) environment.Add(line.Value.Split('=', 2)[0], line.Value.Split('=', 2)[1]);
        // Only where things are differs here: the database, a free port, a folder to unpack into.
        environment["ConnectionStrings__Contacts"] = environment["ConnectionStrings__ContactsMigrations"] = database;
        environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        environment["DOTNET_BUNDLE_EXTRACT_BASE_DIR"] = Directory.CreateDirectory(Path.Combine(_folder.Path, "cache")).FullName;

        var migrate = await RunAsync(Command(service, "ExecStartPre"), environment);
        var company = Json(await RunAsync(["company", "create", "--name", "Systemd", "--json"], environment));
        var key = Json(await RunAsync(["key", "create", "--company", company.Text("id"), "--json"], environment));
        await using var serve = ContactsProcess.StartPublished(release.Executable, environment, Command(service, "ExecStart"));
        var address = await serve.ListeningAddressAsync(Bound);
        using var client = new HttpClient { BaseAddress = address };
        client.DefaultRequestHeaders.Authorization = new("Bearer", key.Text("key"));
        using var response = await client.GetAsync(new Uri("/api/v1/contacts", UriKind.Relative));

        Assert.Contains("Schema is at version", migrate, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"Category\":\"Microsoft.Hosting.Lifetime\"", serve.Stdout, StringComparison.Ordinal); // the example's JSON log lines
    }

    /// <summary>The arguments of one of the unit's command lines, which must run the installed executable.</summary>
    private static string[] Command(IEnumerable<KeyValuePair<string, string>> service, string key)
    {
        var words = service.Single(l => l.Key == key).Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(InstalledExecutable, words[0]);
        return words[1..];
    }

    private static List<KeyValuePair<string, string>> Section(IEnumerable<string> unit, string name) =>
    [
        .. unit.SkipWhile(l => l.Trim() != name).Skip(1).TakeWhile(l => !l.StartsWith('['))
            .Where(l => l.Contains('=', StringComparison.Ordinal) && !l.StartsWith('#'))
            .Select(l => new KeyValuePair<string, string>(l.Split('=', 2)[0].Trim(), l.Split('=', 2)[1].Trim())),
    ];

    /// <summary>KEY=VALUE lines as systemd's EnvironmentFile reads them here: comments skipped, double quotes removed.</summary>
    private static Dictionary<string, string> Settings(IEnumerable<string> file) =>
        file.Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#') && !l.StartsWith(';'))
            .Select(l => l.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1].Trim('"'));

    private async Task<string> RunAsync(string[] args, IReadOnlyDictionary<string, string> environment)
    {
        var result = await ToolProcess.RunAsync(release.Executable, args, _folder.Path, Bound, environment);
        Assert.True(result.ExitCode == 0, $"contacts {string.Join(' ', args)} exited {result.ExitCode}:\n{result.Output}");
        return result.Stdout;
    }

    private static JsonElement Json(string text)
    {
        using var json = JsonDocument.Parse(text);
        return json.RootElement.Clone();
    }

    public void Dispose() => _folder.Dispose();
}
