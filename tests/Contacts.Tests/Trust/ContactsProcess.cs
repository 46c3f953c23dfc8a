using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

using Contacts.Tests.Infrastructure;

namespace Contacts.Tests.Trust;

/// <summary>
/// The real executable as a child process (`dotnet contacts.dll …`, the build output copied beside the tests), so that
/// a test can send it signals and watch it exit. Both streams are captured; the process is killed on dispose.
/// </summary>
public sealed partial class ContactsProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Lock _lock = new();
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ContactsProcess(Process process) => _process = process;

    /// <summary>The product's entry assembly, copied into the test output by the project reference.</summary>
    public static string Executable => Path.Combine(AppContext.BaseDirectory, "contacts.dll");

    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    public string Stdout { get { lock (_lock) return _stdout.ToString(); } }
    public string Stderr { get { lock (_lock) return _stderr.ToString(); } }

    public static ContactsProcess Start(params string[] args) => Start(new Dictionary<string, string>(), args);

    /// <summary>With these environment variables set (beside the test process's own).</summary>
    public static ContactsProcess Start(IReadOnlyDictionary<string, string> environment, string[] args) =>
        Launch(environment, [ToolProcess.Dotnet, Executable, .. args]); // the same dotnet that runs the tests runs the product

    /// <summary>A published executable of the product (the release artifact) instead of the build output.</summary>
    public static ContactsProcess StartPublished(string executable, IReadOnlyDictionary<string, string> environment, params string[] args) =>
        Launch(environment, [executable, .. args]);

    private static ContactsProcess Launch(IReadOnlyDictionary<string, string> environment, IReadOnlyList<string> commandLine)
    {
        var start = new ProcessStartInfo(commandLine[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var arg in commandLine.Skip(1)) start.ArgumentList.Add(arg);
        start.Environment["DOTNET_gcServer"] = "0"; // small footprint: several of these may run beside the test host
        foreach (var (name, value) in environment) start.Environment[name] = value;
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var child = new ContactsProcess(process);
        process.OutputDataReceived += (_, e) => child.Append(child._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => child.Append(child._stderr, e.Data);
        process.Exited += (_, _) => child._exited.TrySetResult();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    private void Append(StringBuilder buffer, string? line)
    {
        if (line is null) return;
        lock (_lock) buffer.AppendLine(line);
    }

    /// <summary>Sends a signal (TERM is what a service manager or container runtime sends to stop a service).</summary>
    public Task SignalAsync(string signal)
    {
        var number = signal switch
        {
            "TERM" => 15,
            "KILL" => 9,
            "STOP" => 19, // Linux (x86-64 and arm64)
            _ => throw new ArgumentOutOfRangeException(nameof(signal), signal, "TERM, KILL or STOP"),
        };
        Assert.True(NativeMethods.Kill(_process.Id, number) == 0, $"kill -{signal} {_process.Id} failed (errno {Marshal.GetLastPInvokeError()})");
        return Task.CompletedTask;
    }

    /// <summary>Waits for the exit (streams drained); false if it is still running after the bound.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan bound)
    {
        if (await Task.WhenAny(_exited.Task, Task.Delay(bound)) != _exited.Task) return false;
        await _process.WaitForExitAsync(); // flushes the asynchronous readers
        return true;
    }

    /// <summary>Waits until stderr contains the text, or the process exits, or the bound passes.</summary>
    public async Task<bool> WaitForStderrAsync(string text, TimeSpan bound)
    {
        var deadline = DateTime.UtcNow + bound;
        while (DateTime.UtcNow < deadline && !_process.HasExited)
        {
            if (Stderr.Contains(text, StringComparison.Ordinal)) return true;
            await Task.Delay(20);
        }
        return Stderr.Contains(text, StringComparison.Ordinal);
    }

    public static async Task<bool> AcceptsConnectionsAsync(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await socket.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>
    /// `serve` on a port the kernel picks (127.0.0.1:0), returning once the service says where it listens: no port is
    /// chosen first and bound later, so no other process can take it in between.
    /// </summary>
    public static async Task<(ContactsProcess Service, Uri Address)> ServeAsync(TimeSpan bound, params string[] args)
    {
        var service = Start(["serve", "--urls=http://127.0.0.1:0", .. args, "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information"]);
        return (service, await service.ListeningAddressAsync(bound));
    }

    /// <summary>
    /// Where a starting service listens on 127.0.0.1, read from its log line; it is disposed (and the test fails) if it
    /// exits first or says nothing within the bound.
    /// </summary>
    public async Task<Uri> ListeningAddressAsync(TimeSpan bound)
    {
        var deadline = DateTime.UtcNow + bound;
        while (true)
        {
            var listening = ListeningLine().Match(Stdout + Stderr);
            if (listening.Success) return new Uri(listening.Groups[1].Value);
            if (HasExited || DateTime.UtcNow >= deadline)
            {
                var output = ToString();
                await DisposeAsync();
                throw new Xunit.Sdk.XunitException($"the service did not say where it listens within {bound.TotalSeconds} s: {output}");
            }
            await Task.Delay(20);
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:[0-9]+)")]
    private static partial System.Text.RegularExpressions.Regex ListeningLine();

    /// <summary>The child's resident and peak resident memory in bytes (VmRSS, VmHWM of /proc/&lt;pid&gt;/status).</summary>
    public (long Resident, long Peak) Memory()
    {
        long Field(string[] lines, string name) =>
            long.Parse(lines.Single(l => l.StartsWith(name + ":", StringComparison.Ordinal))[(name.Length + 1)..].Trim().Split(' ')[0],
                System.Globalization.CultureInfo.InvariantCulture) * 1024;
        var status = File.ReadAllLines($"/proc/{_process.Id}/status");
        return (Field(status, "VmRSS"), Field(status, "VmHWM"));
    }

    public override string ToString() => $"exit {(_process.HasExited ? _process.ExitCode : "(running)")}{Environment.NewLine}stdout: {Stdout}{Environment.NewLine}stderr: {Stderr}";

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
            // never started or already gone
        }
        _process.Dispose();
    }
}

internal static class NativeMethods
{
    // kill(2) itself: no dependency on a kill binary (procps) on minimal CI images; DllImport since only ints cross
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    internal static extern int Kill(int pid, int signal);
}
