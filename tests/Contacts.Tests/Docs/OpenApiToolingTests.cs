using System.Diagnostics;
using System.Text;
using Contacts.Tests.Infrastructure;

namespace Contacts.Tests.Docs;

/// <summary>
/// The served /openapi/v1.json as integrators' tools read it: Redocly's recommended rules with warnings as errors
/// (tools/openapi-check/redocly.yaml), and a TypeScript client generated from it by openapi-typescript that must compile
/// under tsc --strict (tools/openapi-check/client.ts). The npm packages come from the folder's package-lock.json.
/// </summary>
public sealed class OpenApiToolingTests(SqliteAppFixture fixture) : IClassFixture<SqliteAppFixture>
{
    private static readonly TimeSpan InstallBound = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan ToolBound = TimeSpan.FromMinutes(2);
    private static readonly SemaphoreSlim Install = new(1, 1);

    [SkippableFact]
    public async Task RedoclyRecommendedRulesFindNothingInTheDocument()
    {
        var tools = await ToolsAsync();
        using var work = new TempFolder();
        var document = await WriteDocumentAsync(work.Path);

        var lint = await RunAsync(Path.Combine(tools, "node_modules", ".bin", "redocly"),
            ["lint", document, "--config", Path.Combine(tools, "redocly.yaml"), "--format", "stylish"], tools, ToolBound);

        // recommended-strict: a warning of the recommended set fails too.
        Assert.True(lint.ExitCode == 0, $"redocly lint exited {lint.ExitCode}:\n{lint.Output}");
    }

    [SkippableFact]
    public async Task AStrictTypeScriptClientGeneratedFromTheDocumentCompiles()
    {
        var tools = await ToolsAsync();
        using var work = new TempFolder();
        var document = await WriteDocumentAsync(work.Path);
        File.Copy(Path.Combine(tools, "client.ts"), Path.Combine(work.Path, "client.ts"));
        File.Copy(Path.Combine(tools, "tsconfig.json"), Path.Combine(work.Path, "tsconfig.json"));

        var generate = await RunAsync(Path.Combine(tools, "node_modules", ".bin", "openapi-typescript"),
            [document, "--output", Path.Combine(work.Path, "contacts.d.ts")], tools, ToolBound);
        Assert.True(generate.ExitCode == 0, $"openapi-typescript exited {generate.ExitCode}:\n{generate.Output}");
        // Its warnings (a discriminator mapping it cannot follow, say) mean a weaker client, not a failed run.
        Assert.DoesNotContain("⚠", generate.Output, StringComparison.Ordinal);

        var compile = await RunAsync(Path.Combine(tools, "node_modules", ".bin", "tsc"), ["--project", work.Path, "--strict", "--noEmit"], tools, ToolBound);
        Assert.True(compile.ExitCode == 0, $"tsc --strict exited {compile.ExitCode}:\n{compile.Output}");
    }

    private async Task<string> WriteDocumentAsync(string folder)
    {
        var path = Path.Combine(folder, "openapi.json");
        await File.WriteAllTextAsync(path, await fixture.App.Client.GetStringAsync("/openapi/v1.json"));
        return path;
    }

    /// <summary>tools/openapi-check with its packages installed by npm ci, once per run and again when the lock file changed.</summary>
    private static async Task<string> ToolsAsync()
    {
        var tools = Path.Combine(ToolProcess.RepositoryRoot(), "tools", "openapi-check");
        Ci.SkipUnless(File.Exists(Path.Combine(tools, "package-lock.json")), $"{tools} not found");
        Ci.SkipUnless(OnPath("node") && OnPath("npm"), "node and npm are not on PATH: install Node.js 20.19 or later to lint the OpenAPI document");
        await Install.WaitAsync();
        try
        {
            var installed = Path.Combine(tools, "node_modules", ".package-lock.json");
            if (!File.Exists(installed) || File.GetLastWriteTimeUtc(installed) < File.GetLastWriteTimeUtc(Path.Combine(tools, "package-lock.json")))
            {
                var ci = await RunAsync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], tools, InstallBound);
                Assert.True(ci.ExitCode == 0, $"npm ci in {tools} exited {ci.ExitCode}:\n{ci.Output}");
            }
        }
        finally
        {
            Install.Release();
        }
        return tools;
    }

    private static bool OnPath(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
        .Any(folder => folder.Length > 0 && File.Exists(Path.Combine(folder, command)));

    // No colours or update banners in the failure message; no telemetry from the linter.
    private static Task<ToolResult> RunAsync(string file, string[] arguments, string folder, TimeSpan bound) =>
        ToolProcess.RunAsync(file, arguments, folder, bound, new Dictionary<string, string>
        {
            ["NO_COLOR"] = "1", ["REDOCLY_TELEMETRY"] = "off", ["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true", ["npm_config_update_notifier"] = "false",
        });

    private sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("contacts-openapi-").FullName;
        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
