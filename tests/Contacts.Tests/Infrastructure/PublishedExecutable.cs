using System.Diagnostics;

namespace Contacts.Tests.Infrastructure;

/// <summary>
/// The release artifact, published once per test run with README's command (docs/operations.md) into a temp folder.
/// Its intermediate files go there too (--artifacts-path), so the repository's own build output is left alone.
/// </summary>
public sealed class PublishedExecutable : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(8);
    private readonly string _folder = Directory.CreateTempSubdirectory("contacts-release-").FullName;

    /// <summary>The single file: contacts, beside appsettings.json.</summary>
    public string Executable => Path.Combine(_folder, "linux-x64", "contacts");

    /// <summary>How long the publish took, for the report.</summary>
    public TimeSpan PublishTime { get; private set; }

    public async Task InitializeAsync()
    {
        var watch = Stopwatch.StartNew();
        var publish = await ToolProcess.RunAsync(ToolProcess.Dotnet,
            ["publish", "src/Contacts", "-c", "Release", "-r", "linux-x64", "-o", Path.GetDirectoryName(Executable)!,
             "--artifacts-path", Path.Combine(_folder, "build")],
            ToolProcess.RepositoryRoot(), Bound, new Dictionary<string, string> { ["DOTNET_NOLOGO"] = "1", ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" });
        PublishTime = watch.Elapsed;
        if (publish.ExitCode != 0) throw new InvalidOperationException($"dotnet publish exited {publish.ExitCode}:\n{publish.Output}");
    }

    public Task DisposeAsync()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }
}
