using System.Runtime.InteropServices;
using System.Text;
using Contacts.Tests.Cli;

namespace Contacts.Tests.Import;

/// <summary>
/// What import reads from: regular files and FIFOs. A device, a directory, a FIFO nobody writes to and an endless line
/// end promptly with exit 2 and a message naming the problem. The checks come before the database, so SQLite only.
/// </summary>
public sealed class ImportSourceTests(SqliteCliFixture fixture) : ImportTestBase(fixture), IClassFixture<SqliteCliFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [SkippableTheory]
    [InlineData("csv")]
    [InlineData("jsonl")]
    public async Task ADeviceIsRefusedAtOnceWithExit2(string format)
    {
        Skip.IfNot(File.Exists("/dev/zero"), "no /dev/zero here");
        var company = await CompanyAsync();
        var zero = Path.Combine(Files.Path, "zero." + format);
        File.CreateSymbolicLink(zero, "/dev/zero");

        var result = await WithinPatienceAsync(() => ImportAsync(company, zero, "--skip-invalid"));

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("is a character device", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(await ContactsAsync(company));
    }

    [SkippableFact]
    public async Task ADirectoryIsRefusedWithExit2()
    {
        var company = await CompanyAsync();
        var folder = Directory.CreateDirectory(Path.Combine(Files.Path, "folder.csv")).FullName;

        var result = await WithinPatienceAsync(() => ImportAsync(company, folder));

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("is a directory", result.Stderr, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task AFifoWithoutAWriterIsRefusedAfterItsOpenTimeout()
    {
        var company = await CompanyAsync();
        var fifo = Fifo("nobody.jsonl");
        try
        {
            var result = await WithinPatienceAsync(() => ImportAsync(company, fifo, "--fifo-timeout", "1"));

            Assert.True(result.ExitCode == 2, result.ToString());
            Assert.Contains("no writer opened the FIFO within 1 s", result.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            ReleaseReaders(fifo);
        }
    }

    [SkippableFact]
    public async Task AFifoWithAWriterIsImported()
    {
        var company = await CompanyAsync();
        var fifo = Fifo("writer.jsonl");
        var writer = Task.Run(() => File.WriteAllText(fifo, "{\"email\": \"a@fifo.test\"}\n{\"email\": \"b@fifo.test\"}\n"));

        var outcome = await WithinPatienceAsync(() => ImportJsonAsync(company, fifo));
        await writer.WaitAsync(Patience);

        AssertCounts(outcome, inserted: 2, updated: 0, unchanged: 0, rejected: 0);
    }

    [SkippableTheory]
    [InlineData("csv")]
    [InlineData("jsonl")]
    public async Task AnEndlessLineFromAFifoStopsAtTheCapWithExit2(string format)
    {
        var company = await CompanyAsync();
        var fifo = Fifo("endless." + format);
        using var stop = new CancellationTokenSource();
        // What `cat /dev/zero > endless.csv` sends: bytes without a line break, until the reader goes away.
        var writer = Task.Run(() =>
        {
            var zeros = new byte[64 * 1024];
            try
            {
                using var stream = new FileStream(fifo, FileMode.Open, FileAccess.Write);
                if (format == "csv") stream.Write(Encoding.ASCII.GetBytes(Header + "\n"));
                while (!stop.IsCancellationRequested) stream.Write(zeros);
            }
            catch (IOException)
            {
                // the reader closed the pipe
            }
        });

        try
        {
            var result = await WithinPatienceAsync(() => ImportAsync(company, fifo, "--skip-invalid"));

            Assert.True(result.ExitCode == 2, result.ToString());
            // CSV: one field of NUL characters, capped first; JSON Lines: one line
            Assert.Contains(format == "csv" ? "endless.csv:2: a field is longer than 2,097,152 characters" : "endless.jsonl:1: the line is longer than 4,194,304 characters",
                result.Stderr, StringComparison.Ordinal);
            Assert.Empty(await ContactsAsync(company));
        }
        finally
        {
            await stop.CancelAsync();
            ReleaseReaders(fifo);
            await writer.WaitAsync(Patience);
        }
    }

    /// <summary>On its own thread: an import that reads without end never returns its task, so a timeout on the caller's would never fire.</summary>
    private static Task<T> WithinPatienceAsync<T>(Func<Task<T>> run) => Task.Run(run).WaitAsync(Patience);

    private string Fifo(string name)
    {
        var path = Path.Combine(Files.Path, name);
        Skip.If(NativeMethods.MkFifo(Encoding.UTF8.GetBytes(path + "\0"), 0x180) != 0, $"mkfifo failed (errno {Marshal.GetLastPInvokeError()})");
        return path;
    }

    /// <summary>An import that gave up waiting may still sit in open(2) on the FIFO: a writer that comes and goes lets it go.</summary>
    private static void ReleaseReaders(string fifo)
    {
        // O_WRONLY | O_NONBLOCK: fails at once (ENXIO) when nobody is waiting, instead of waiting for a reader
        var fd = NativeMethods.Open(Encoding.UTF8.GetBytes(fifo + "\0"), 0x1 | 0x800);
        if (fd >= 0) _ = NativeMethods.Close(fd);
    }

    private static class NativeMethods
    {
        // mkfifo(3) and a non-blocking open(2): .NET has neither; only byte arrays and ints cross
        [DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int MkFifo(byte[] path, uint mode);

        [DllImport("libc", EntryPoint = "open", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int Open(byte[] path, int flags);

        [DllImport("libc", EntryPoint = "close", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int Close(int fd);
    }
}
