using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Contacts.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL server for the test run: initdb + pg_ctl on a free loopback port in a temp folder,
/// removed afterwards. Without PostgreSQL binaries the PostgreSQL tests are skipped with a loud reason,
/// except when CI=true, where they fail.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private static readonly Lazy<Task<PostgresServer>> SharedServer = new(async () =>
    {
        var server = new PostgresServer();
        await server.InitializeAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.DisposeAsync().GetAwaiter().GetResult();
        return server;
    });

    /// <summary>One server for the whole test run; each test class makes its own database on it.</summary>
    public static Task<PostgresServer> SharedAsync() => SharedServer.Value;

    private string? _root;
    private string? _binaries;
    private int _databases;

    public int Port { get; private set; }
    public string? UnavailableReason { get; private set; }
    public string DataDirectory => Path.Combine(_root!, "data");
    public string LogPath => Path.Combine(_root!, "server.log");

    /// <summary>Where the server's log ends now: a position for <see cref="LogSince"/>.</summary>
    public long LogEnd => new FileInfo(LogPath).Length;

    /// <summary>What the server logged from a position on (it keeps writing while this reads).</summary>
    public string LogSince(long position)
    {
        using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        stream.Seek(position, SeekOrigin.Begin);
        using var reader = new StreamReader(stream, System.Text.Encoding.UTF8);
        return reader.ReadToEnd();
    }

    public async Task InitializeAsync()
    {
        _binaries = FindBinaries();
        if (_binaries is null)
        {
            UnavailableReason = "PostgreSQL binaries (initdb, pg_ctl) not found on PATH or in /usr/lib/postgresql/*/bin: " +
                                "install PostgreSQL (apt-get install postgresql) to run the PostgreSQL tests.";
            if (Ci.IsSet) throw new InvalidOperationException(UnavailableReason);
            return;
        }
        RemoveAbandonedServers();
        _root = Path.Combine(Path.GetTempPath(), "contacts-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(_root);
        ClaimFolder(_root);
        if (IsRoot) await RunAsync("chown", ["postgres:postgres", _root]);
        await RunAsPostgresAsync("initdb", ["-D", DataDirectory, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]);
        await StartOnAFreePortAsync();
    }

    /// <summary>
    /// PostgreSQL cannot listen on port 0 and say which port it got, so a port the kernel just handed out is used; when
    /// another process took it in between, the server says "could not bind" and the next free port is tried.
    /// </summary>
    private async Task StartOnAFreePortAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            Port = FreePort();
            try
            {
                await StartAsync();
                return;
            }
            catch (InvalidOperationException) when (attempt < 5 && File.Exists(LogPath) && File.ReadAllText(LogPath).Contains("could not bind", StringComparison.Ordinal))
            {
                File.Delete(LogPath);
            }
        }
    }

    public async Task StartAsync() =>
        await RunAsPostgresAsync("pg_ctl", ["-D", DataDirectory, "-l", LogPath, "-w", "-t", "60", "-o",
            $"-p {Port} -k {_root} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" +
            // Every log line names its database and transaction, for tests that count statements on the server (StatementLog).
            " -c log_line_prefix=db=%d,vxid=%v:",
            "start"]);

    /// <summary>
    /// A hot standby of this server, streaming from it (pg_basebackup -R: initdb's trust lines in pg_hba.conf already let
    /// 127.0.0.1 replicate, and wal_level=replica, max_wal_senders and hot_standby are PostgreSQL's defaults).
    /// The caller disposes it.
    /// </summary>
    public async Task<PostgresServer> StartStandbyAsync()
    {
        var standby = new PostgresServer { _binaries = _binaries, _root = Path.Combine(Path.GetTempPath(), "contacts-pg-" + Guid.NewGuid().ToString("N")[..12]) };
        Directory.CreateDirectory(standby._root);
        ClaimFolder(standby._root);
        if (IsRoot) await RunAsync("chown", ["postgres:postgres", standby._root]);
        await RunAsPostgresAsync(SiblingTool("pg_basebackup"), ["-h", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-U", "postgres", "-D", standby.DataDirectory, "-R", "-X", "stream", "-c", "fast"]);
        await standby.StartOnAFreePortAsync();
        return standby;
    }

    /// <summary>A tool beside initdb: PATH may hold links to initdb and pg_ctl only (Path.Combine keeps an absolute path).</summary>
    private string SiblingTool(string tool)
    {
        var path = Path.Combine(_binaries!, tool);
        if (File.Exists(path)) return path;
        var initdb = new FileInfo(Path.Combine(_binaries!, "initdb")).ResolveLinkTarget(returnFinalTarget: true);
        return initdb is null ? path : Path.Combine(Path.GetDirectoryName(initdb.FullName)!, tool);
    }

    public async Task StopAsync() => await RunAsPostgresAsync("pg_ctl", ["-D", DataDirectory, "-m", "fast", "-w", "stop"]);

    /// <summary>
    /// SIGSTOP to the postmaster, then to every process it forked (backends, walreceiver, ...): the server still accepts
    /// TCP connections (the kernel queues them) and answers nothing, as a hung or swapped-out server does.
    /// </summary>
    public Task SuspendAsync() => SignalAllAsync("-STOP");

    /// <summary>SIGCONT to the postmaster and its processes: a suspended server carries on where it stopped.</summary>
    public Task ResumeAsync() => SignalAllAsync("-CONT");

    private async Task SignalAllAsync(string signal)
    {
        var postmaster = int.Parse(File.ReadLines(Path.Combine(DataDirectory, "postmaster.pid")).First(), System.Globalization.CultureInfo.InvariantCulture);
        // The postmaster first: stopped, it forks nothing more while its children are signalled.
        await RunAsync("kill", [signal, postmaster.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        var children = Directory.GetDirectories("/proc").Select(Path.GetFileName).Where(d => d!.All(char.IsAsciiDigit))
            .Where(pid => ParentOf(pid!) == postmaster).Select(pid => pid!).ToList();
        if (children.Count > 0) await RunAsync("kill", [signal, .. children]);
    }

    /// <summary>The parent pid from /proc/PID/stat ("pid (comm) state ppid ..."; comm may hold spaces); null when it is gone.</summary>
    private static int? ParentOf(string pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Stops the server as a crash would: no shutdown checkpoint, nothing more sent to its standbys.</summary>
    public async Task StopImmediatelyAsync() => await RunAsPostgresAsync("pg_ctl", ["-D", DataDirectory, "-m", "immediate", "-w", "stop"]);

    /// <summary>
    /// Starts a stopped standby that streams from nobody (primary_conninfo emptied; a later line of postgresql.auto.conf
    /// wins), as one whose primary is gone: it replays the WAL it has and waits. Its old primary's port may meanwhile
    /// belong to another test's server.
    /// </summary>
    public async Task StartDisconnectedAsync()
    {
        await File.AppendAllTextAsync(Path.Combine(DataDirectory, "postgresql.auto.conf"), "primary_conninfo = ''\n");
        await StartAsync();
    }

    /// <summary>Promotes a standby to a primary (a new timeline) and waits until it accepts writes.</summary>
    public async Task PromoteAsync() => await RunAsPostgresAsync("pg_ctl", ["-D", DataDirectory, "-w", "-t", "60", "promote"]);

    /// <summary>
    /// An operator's backup of one database, in this server's folder: the cluster's roles (pg_dumpall --roles-only: the
    /// service's role contacts_api is cluster-wide, so pg_dump leaves it out) and the database (pg_dump, custom format).
    /// </summary>
    public async Task<PostgresDump> DumpAsync(string connectionString)
    {
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        var dump = new PostgresDump(Path.Combine(_root!, database + ".roles.sql"), Path.Combine(_root!, database + ".dump"));
        await RunAsPostgresAsync(SiblingTool("pg_dumpall"), [.. ClientOptions, "--roles-only", "-f", dump.RolesFile]);
        await RunAsPostgresAsync(SiblingTool("pg_dump"), [.. ClientOptions, "-d", database, "-Fc", "-f", dump.DatabaseFile]);
        return dump;
    }

    /// <summary>Restores a dump into a new database of this server (its roles first, as pg_restore needs them); its connection string.</summary>
    public async Task<string> RestoreAsync(PostgresDump dump)
    {
        var name = $"contacts_restored_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid().ToString("N")[..6]}";
        // The dump's own role (postgres) already exists: psql reports it and goes on; the others are created.
        await RunAsPostgresAsync(SiblingTool("psql"), [.. ClientOptions, "-d", "postgres", "-q", "-f", dump.RolesFile]);
        await RunAsPostgresAsync(SiblingTool("createdb"), [.. ClientOptions, "-T", "template0", name]);
        await RunAsPostgresAsync(SiblingTool("pg_restore"), [.. ClientOptions, "-d", name, "--exit-on-error", dump.DatabaseFile]);
        return $"Host=127.0.0.1;Port={Port};Username=postgres;Database={name}";
    }

    private string[] ClientOptions => ["-h", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", "postgres"];

    public string AdminConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Pooling=false";

    /// <summary>A fresh, empty database on this server.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"contacts_test_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid().ToString("N")[..6]}";
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await command.ExecuteNonQueryAsync();
        return $"Host=127.0.0.1;Port={Port};Username=postgres;Database={name}";
    }

    public async Task DisposeAsync()
    {
        if (_root is null) return;
        try
        {
            NpgsqlConnection.ClearAllPools();
            await RunAsPostgresAsync("pg_ctl", ["-D", DataDirectory, "-m", "immediate", "-w", "stop"]);
        }
        catch (InvalidOperationException)
        {
            // already stopped by a test
        }
        Directory.Delete(_root, recursive: true);
    }

    private static bool IsRoot => Environment.UserName == "root";

    /// <summary>The file in a server's folder naming the test host that started it (see <see cref="RemoveAbandonedServers"/>).</summary>
    private const string OwnerFile = "owner.pid";

    private static void ClaimFolder(string root) =>
        File.WriteAllText(Path.Combine(root, OwnerFile), Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>
    /// The test host may be killed before ProcessExit cleans up (vstest ends it once the run is over), which left two
    /// servers running after every run on a developer's machine. Servers whose test host is gone are stopped
    /// (SIGQUIT, PostgreSQL's immediate shutdown) and their folders removed; folders whose server is gone as well.
    /// A folder without an owner file (an older run's) is judged by its age and its server's pid alone.
    /// </summary>
    private static void RemoveAbandonedServers()
    {
        foreach (var folder in Directory.GetDirectories(Path.GetTempPath(), "contacts-pg-*"))
        {
            var pidFile = Path.Combine(folder, "data", "postmaster.pid");
            try
            {
                var owner = File.Exists(Path.Combine(folder, OwnerFile)) && int.TryParse(File.ReadAllText(Path.Combine(folder, OwnerFile)), out var o) ? o : (int?)null;
                // Young folders without an owner may belong to another test run still in initdb (no postmaster.pid yet).
                if (owner is null && Directory.GetLastWriteTimeUtc(folder) > DateTime.UtcNow.AddMinutes(-30)) continue;
                if (owner is { } alive && Alive(alive)) continue;
                if (File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), out var pid) && Alive(pid))
                {
                    if (owner is null) continue;
                    using (var quit = Process.Start("kill", ["-QUIT", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])) quit.WaitForExit();
                    for (var i = 0; i < 100 && Alive(pid); i++) Thread.Sleep(50);
                    if (Alive(pid)) continue;
                }
                Directory.Delete(folder, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
            {
                // another run's server is starting or stopping; leave it
            }
        }
    }

    private static bool Alive(int pid) => Directory.Exists($"/proc/{pid}");

    private static string? FindBinaries()
    {
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':'))
        {
            if (File.Exists(Path.Combine(folder, "initdb")) && File.Exists(Path.Combine(folder, "pg_ctl"))) return folder;
        }
        const string debian = "/usr/lib/postgresql";
        if (!Directory.Exists(debian)) return null;
        return Directory.GetDirectories(debian)
            .Select(d => Path.Combine(d, "bin"))
            .Where(d => File.Exists(Path.Combine(d, "initdb")))
            .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
            .FirstOrDefault();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    // initdb refuses to run as root, so as root the server runs as the postgres user.
    private Task RunAsPostgresAsync(string tool, string[] args) =>
        IsRoot
            ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_binaries!, tool), .. args])
            : RunAsync(Path.Combine(_binaries!, tool), args);

    private static async Task RunAsync(string file, string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/tmp" };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {process.ExitCode}: {await stderr}{await stdout}");
    }
}

