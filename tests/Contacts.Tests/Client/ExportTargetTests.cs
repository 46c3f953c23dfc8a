using System.Diagnostics;
using Contacts.Cli;
using Contacts.Tests.Cli;
using Contacts.Tests.Infrastructure;

namespace Contacts.Tests.Client;

/// <summary>
/// `export --out` writes to what it is given. A regular file is replaced only when the export succeeds (a temporary file
/// renamed over it); a symbolic link stays a link and the file it points to gets the export (the same way); a FIFO or a
/// device is written in place and is still a FIFO or a device afterwards. Run as root, replacing them would have
/// replaced the machine's /dev/null with a regular file (issue 20).
/// </summary>
public sealed class ExportTargetTests(SqliteAppFixture fixture) : IClassFixture<SqliteAppFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ASymlinkStaysALinkAndTheFileItPointsToGetsTheExport(bool relative)
    {
        var company = await CompanyWithAContactAsync();
        using var folder = new TempFolder();
        var elsewhere = Directory.CreateDirectory(Path.Combine(folder.Path, "data")).FullName;
        var target = Path.Combine(elsewhere, "contacts.jsonl");
        await File.WriteAllTextAsync(target, "earlier\n");
        var link = Path.Combine(folder.Path, "latest.jsonl");
        File.CreateSymbolicLink(link, relative ? Path.Combine("data", "contacts.jsonl") : target);

        await CliRunner.OkAsync(fixture.Database, "export", "--url", fixture.App.Address.ToString(), "--key", company.Key, "--out", link);

        Assert.Equal("symbolic link", await FileTypeAsync(link));
        Assert.Equal(relative ? Path.Combine("data", "contacts.jsonl") : target, new FileInfo(link).LinkTarget);
        Assert.Equal("regular file", await FileTypeAsync(target));
        Assert.Contains("\"first_name\":\"Jane\"", await File.ReadAllTextAsync(target), StringComparison.Ordinal);
        Assert.Equal([target], Directory.GetFiles(elsewhere)); // no temporary file left beside it
    }

    [SkippableFact]
    public async Task AFifoIsWrittenInPlaceForItsReaderAndStaysAFifo()
    {
        var company = await CompanyWithAContactAsync();
        using var folder = new TempFolder();
        var fifo = Path.Combine(folder.Path, "pipe");
        await RunAsync("mkfifo", fifo);
        using var reader = Start("cat", fifo);
        var read = reader.StandardOutput.ReadToEndAsync();
        try
        {
            var export = CliRunner.OkAsync(fixture.Database, "export", "--url", fixture.App.Address.ToString(), "--key", company.Key, "--out", fifo);
            await export.WaitAsync(Bound);
            await reader.WaitForExitAsync().WaitAsync(Bound);
        }
        finally
        {
            if (!reader.HasExited) reader.Kill(); // replaced by a regular file, the FIFO got no writer and cat waits forever
        }

        Assert.Contains("\"first_name\":\"Jane\"", await read, StringComparison.Ordinal);
        Assert.Equal("fifo", await FileTypeAsync(fifo));
    }

    [SkippableFact]
    public async Task ACharacterDeviceStaysACharacterDevice()
    {
        Skip.IfNot(Environment.IsPrivilegedProcess, "mknod needs root");
        var company = await CompanyWithAContactAsync();
        using var folder = new TempFolder();
        var device = Path.Combine(folder.Path, "null");
        var (made, error) = await TryRunAsync("mknod", device, "c", "1", "3"); // a copy of /dev/null
        Skip.IfNot(made, $"mknod refused here: {error}");

        await CliRunner.OkAsync(fixture.Database, "export", "--url", fixture.App.Address.ToString(), "--key", company.Key, "--out", device);

        Assert.Equal("character special file", await FileTypeAsync(device));
        Assert.Equal([device], Directory.GetFileSystemEntries(folder.Path));
    }

    [SkippableFact]
    public async Task AFolderIsRefusedAsBadInputAndLeftAlone()
    {
        var company = await CompanyWithAContactAsync();
        using var folder = new TempFolder();

        var result = await CliRunner.RunAsync("export", "--url", fixture.App.Address.ToString(), "--key", company.Key, "--out", folder.Path);

        Assert.Equal(ContactsCli.BadInput, result.ExitCode);
        Assert.Contains("is a folder", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
    }

    private async Task<TestCompany> CompanyWithAContactAsync()
    {
        Skip.If(fixture.SkipReason is not null, fixture.SkipReason);
        var company = await fixture.Data.CompanyAsync();
        await fixture.Data.ContactAsync(company.Id, "Jane", "Doe");
        return company;
    }

    /// <summary>What coreutils' stat calls the file itself (a link is not followed).</summary>
    private static async Task<string> FileTypeAsync(string path)
    {
        using var stat = Start("stat", "-c", "%F", path);
        var type = await stat.StandardOutput.ReadToEndAsync();
        await stat.WaitForExitAsync();
        return type.Trim();
    }

    private static async Task RunAsync(string program, params string[] args)
    {
        var (ok, error) = await TryRunAsync(program, args);
        Assert.True(ok, $"{program} {string.Join(' ', args)}: {error}");
    }

    private static async Task<(bool Ok, string Error)> TryRunAsync(string program, params string[] args)
    {
        using var process = Start(program, args);
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode == 0, error.Trim());
    }

    private static Process Start(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        return Process.Start(start)!;
    }
}
