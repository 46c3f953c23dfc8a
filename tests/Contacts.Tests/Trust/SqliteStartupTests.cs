using System.Diagnostics;
using Contacts.Tests.Cli;
using Contacts.Tests.Infrastructure;

namespace Contacts.Tests.Trust;

/// <summary>
/// `serve` on SQLite with a data folder it cannot use stops at once with a message naming the folder and a non-zero
/// exit, instead of listening and failing every request later.
/// </summary>
[Collection(FaultCollection.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // permission bits and chattr
public sealed class SqliteStartupTests : IDisposable
{
    private readonly TempFolder _files = new();

    [Fact]
    public async Task MissingDataFolderStopsServeWithAMessageNamingIt()
    {
        var folder = Path.Combine(_files.Path, "no-such-folder");

        var (exit, stderr) = await ServeAsync(folder);

        Assert.NotEqual(0, exit);
        Assert.Contains($"'{folder}' does not exist", stderr, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task ReadOnlyDataFolderStopsServeWithAMessageNamingIt()
    {
        var folder = Path.Combine(_files.Path, "read-only");
        Directory.CreateDirectory(folder);
        // root writes through permission bits, so as root the folder is made immutable instead (chattr +i, ext4 & co.)
        var root = Environment.UserName == "root";
        if (root) Ci.SkipUnless(await RunAsync("chattr", "+i", folder) == 0, "as root, a read-only folder needs chattr +i, which this file system or container refuses");
        else File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        try
        {
            Ci.SkipIf(CanWrite(folder), $"'{folder}' is still writable after making it read-only");

            var (exit, stderr) = await ServeAsync(folder);

            Assert.NotEqual(0, exit);
            Assert.Contains($"'{folder}' is not writable", stderr, StringComparison.Ordinal);
        }
        finally
        {
            if (root) await RunAsync("chattr", "-i", folder);
            else File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private static async Task<(int Exit, string Stderr)> ServeAsync(string folder)
    {
        await using var service = ContactsProcess.Start("serve", "--urls=http://127.0.0.1:0", "--Database:Provider=sqlite",
            $"--ConnectionStrings:Contacts=Data Source={Path.Combine(folder, "contacts.db")}");
        Assert.True(await service.WaitForExitAsync(TimeSpan.FromSeconds(60)), "serve kept running: " + service);
        return (service.ExitCode, service.Stderr);
    }

    private static bool CanWrite(string folder)
    {
        try
        {
            File.WriteAllText(Path.Combine(folder, "probe"), "");
            File.Delete(Path.Combine(folder, "probe"));
            return true;
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            return false;
        }
    }

    private static async Task<int> RunAsync(string file, params string[] args)
    {
        try
        {
            var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var arg in args) start.ArgumentList.Add(arg);
            using var process = Process.Start(start)!;
            await process.WaitForExitAsync();
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1; // not installed
        }
    }

    public void Dispose() => _files.Dispose();
}
