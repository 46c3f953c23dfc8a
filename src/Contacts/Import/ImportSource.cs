using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Contacts.Import;

/// <summary>
/// Opens what `contacts import` reads: a regular file, or a FIFO (named pipe) a program writes into. Anything else is
/// refused before a byte is read: a directory, and devices such as /dev/zero (endless) or a terminal, which a file name
/// with a .csv or .jsonl extension can point at through a symbolic link. Opening a FIFO waits for its writer, which
/// open(2) does without end: here for at most the given time.
/// </summary>
public static class ImportSource
{
    public const int DefaultFifoTimeoutSeconds = 10;

    public static async Task<Stream> OpenAsync(string path, TimeSpan fifoTimeout, CancellationToken ct)
    {
        var kind = KindOf(path);
        if (kind == "missing") throw new ImportSourceException($"File not found: {path}");
        if (kind == "directory") throw new ImportSourceException($"'{path}' is a directory; give a .csv or .jsonl file.");
        if (kind is not ("file" or "fifo"))
            throw new ImportSourceException($"'{path}' is a {kind}, not a file: import reads regular files and FIFOs (named pipes).");
        if (!ContactFileReader.IsSupported(path)) throw new ImportSourceException($"'{path}': unknown file type; use .csv or .jsonl (.ndjson).");
        return kind == "fifo" ? await OpenFifoAsync(path, fifoTimeout, ct) : Open(path);
    }

    private static FileStream Open(string path) => new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1 << 16);

    private static async Task<Stream> OpenFifoAsync(string path, TimeSpan timeout, CancellationToken ct)
    {
        // open(2) blocks until a writer opens the FIFO, and has no timeout: it waits on a thread of its own.
        var opening = Task.Factory.StartNew(() => Open(path), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            return await opening.WaitAsync(timeout, ct);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            _ = opening.ContinueWith(t => t.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            // Be the writer for a moment, so that the waiting open returns and its thread ends (the stream is disposed above).
            _ = Task.Run(() =>
            {
                try { new FileStream(path, FileMode.Open, FileAccess.Write).Dispose(); }
                catch (IOException) { }
                catch (UnauthorizedAccessException) { }
            }, CancellationToken.None);
            if (e is OperationCanceledException) throw;
            throw new ImportSourceException(
                $"{path}: no writer opened the FIFO within {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s; start the program that writes to it (or raise --fifo-timeout).");
        }
    }

    /// <summary>The file type stat(2) reports, following symbolic links; "file" where it cannot be told (then opening it tells).</summary>
    private static string KindOf(string path)
    {
        var fallback = Directory.Exists(path) ? "directory" : File.Exists(path) ? "file" : "missing";
        if (!OperatingSystem.IsLinux()) return fallback;
        // struct statx has one layout on every Linux architecture; stx_mode is the 16 bits at offset 28.
        var status = new byte[256];
        try
        {
            if (NativeMethods.StatX(AtCurrentDirectory, Encoding.UTF8.GetBytes(path + "\0"), 0, StatxType, status) != 0)
                return Marshal.GetLastPInvokeError() is NoSuchFile or NotADirectory ? "missing" : "file";
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return fallback; // a C library without statx
        }
        return (BitConverter.ToUInt16(status, 28) & 0xF000) switch
        {
            0x8000 => "file",
            0x1000 => "fifo",
            0x4000 => "directory",
            0x2000 => "character device",
            0x6000 => "block device",
            0xC000 => "socket",
            _ => "file",
        };
    }

    private const int AtCurrentDirectory = -100, NoSuchFile = 2, NotADirectory = 20;
    private const uint StatxType = 1;

    private static class NativeMethods
    {
        // statx(2) from glibc (2.28+): .NET does not expose a file's type; only byte arrays and ints cross
        [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int StatX(int directory, byte[] path, int flags, uint mask, byte[] status);
    }
}
