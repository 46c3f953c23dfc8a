using System.Diagnostics;

namespace Contacts.Tests.Infrastructure;

/// <summary>How a tool ended: its exit code and what it wrote.</summary>
public sealed record ToolResult(int ExitCode, string Stdout, string Stderr)
{
    public string Output => Stdout + Stderr;
}

/// <summary>A command-line tool run to its end within a bound (killed with its children past it), its output kept for the failure message.</summary>
public static class ToolProcess
{
    /// <summary>The dotnet that runs the tests (the SDK sets DOTNET_HOST_PATH for test runs).</summary>
    public static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    public static async Task<ToolResult> RunAsync(string file, IEnumerable<string> arguments, string folder, TimeSpan bound,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(bound);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', start.ArgumentList)} did not finish within {bound}.");
        }
        return new ToolResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>The folder holding Contacts.slnx, above the test binaries.</summary>
    public static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Contacts.slnx"))) return folder.FullName;
        }
        throw new InvalidOperationException($"No Contacts.slnx above {AppContext.BaseDirectory}.");
    }
}
