using System.Runtime.InteropServices;

namespace Contacts.Cli;

/// <summary>
/// Where `export --out` writes, chosen by what the path is. A regular file (or a new one) is replaced only when the
/// export succeeds: it is written beside it under a temporary name and renamed over it at the end. Through a symbolic
/// link the file the link points to is replaced that way, so the link stays a link. A FIFO or a character device is
/// written in place, since renaming over it would put a regular file in its stead (run as root, `--out /dev/null` did
/// that to the machine's /dev/null). A folder, a block device (a disk) and a socket are refused as bad input.
/// </summary>
internal sealed class OutputFile : IAsyncDisposable
{
    private readonly string? _partial;
    private readonly string _target;
    private bool _committed;

    private OutputFile(Stream stream, string target, string? partial)
    {
        Stream = stream;
        _target = target;
        _partial = partial;
    }

    /// <summary>What the export is written to.</summary>
    public Stream Stream { get; }

    public static OutputFile Open(string path)
    {
        switch (FileKinds.Of(path))
        {
            case FileKind.Folder:
                throw new CliException($"--out: '{path}' is a folder; name a file in it.", ContactsCli.BadInput);
            case FileKind.BlockDevice:
                throw new CliException($"--out: '{path}' is a block device (a disk); an export is never written over one.", ContactsCli.BadInput);
            case FileKind.Socket:
                throw new CliException($"--out: '{path}' is a socket, which cannot be opened as a file.", ContactsCli.BadInput);
            case FileKind.Fifo or FileKind.CharacterDevice:
                return new OutputFile(new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite), path, null);
            default:
                var target = new FileInfo(path).LinkTarget is null ? path : File.ResolveLinkTarget(path, returnFinalTarget: true)!.FullName;
                if (target != path && !Directory.Exists(Path.GetDirectoryName(target)))
                    throw new CliException($"--out: the folder of '{target}' (where the link '{path}' points) does not exist.", ContactsCli.BadInput);
                var partial = $"{target}.{Guid.NewGuid():N}.partial";
                return new OutputFile(new FileStream(partial, FileMode.CreateNew, FileAccess.Write), target, partial);
        }
    }

    /// <summary>
    /// The export succeeded: a regular file takes the place of the earlier one at once. Written in place, a failed export
    /// leaves what was written so far (a FIFO's reader has already read it).
    /// </summary>
    public async Task CommitAsync()
    {
        await Stream.DisposeAsync();
        if (_partial is not null) File.Move(_partial, _target, overwrite: true);
        _committed = true;
    }

    public async ValueTask DisposeAsync()
    {
        await Stream.DisposeAsync();
        // A failed export leaves an earlier file as it was, never half of a new one.
        if (_partial is not null && !_committed) File.Delete(_partial);
    }

    private enum FileKind { Missing, Regular, Folder, Fifo, CharacterDevice, BlockDevice, Socket, Unknown }

    /// <summary>
    /// The type of the file a path names, links followed. .NET has no API for it (FileAttributes call a FIFO or a device
    /// "Normal"), so it asks Linux's statx(2), whose structure is the same on every architecture.
    /// </summary>
    private static class FileKinds
    {
        private const int CurrentFolder = -100; // AT_FDCWD
        private const uint TypeOnly = 0x1; // STATX_TYPE
        private const int ModeOffset = 28; // stx_mode in struct statx (256 bytes)

        public static FileKind Of(string path)
        {
            if (!OperatingSystem.IsLinux()) return Directory.Exists(path) ? FileKind.Folder : FileKind.Unknown;
            var buffer = new byte[256];
            int result;
            try
            {
                result = Statx(CurrentFolder, path, 0, TypeOnly, buffer);
            }
            catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
            {
                return Directory.Exists(path) ? FileKind.Folder : FileKind.Unknown; // a C library without statx (glibc < 2.28)
            }
            if (result != 0) return FileKind.Missing; // or unreachable: the rename path reports what is wrong with it
            return (BitConverter.ToUInt16(buffer, ModeOffset) & 0xF000) switch
            {
                0x8000 => FileKind.Regular,
                0x4000 => FileKind.Folder,
                0x1000 => FileKind.Fifo,
                0x2000 => FileKind.CharacterDevice,
                0x6000 => FileKind.BlockDevice,
                0xC000 => FileKind.Socket,
                _ => FileKind.Unknown,
            };
        }

        [DllImport("libc", EntryPoint = "statx")]
        [System.Diagnostics.CodeAnalysis.SuppressMessage("Globalization", "CA2101", Justification = "Linux paths are UTF-8 (LPUTF8Str), not UTF-16")]
        private static extern int Statx(int folder, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);
    }
}
