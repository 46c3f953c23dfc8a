using System.CommandLine;
using System.Text.Json;

namespace Contacts.Cli;

/// <summary>
/// One executable, subcommands (one file each in this folder). Exit codes: 0 success, 1 the operation failed
/// (e.g. database unreachable), 2 bad input (bad flags, unknown company or key, missing file, invalid import rows).
/// </summary>
public static class ContactsCli
{
    public const int Ok = 0, Failed = 1, BadInput = 2;

    /// <summary>For import's report, still an anonymous object; every other command writes through <see cref="CliJsonContext"/>.</summary>
    internal static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct = default) =>
        RunAsync(args, new CliContext(stdout, stderr, Console.In, Environment.GetEnvironmentVariable), ct);

    public static async Task<int> RunAsync(string[] args, CliContext io, CancellationToken ct = default)
    {
        var root = new RootCommand($"Contacts API: the server (serve, the default) and its admin commands. {ServeCommand.SettingsHelp}")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        io.UsesDatabase(root).Options.Add(io.UrlsOption);
        root.Subcommands.Add(ServeCommand.Create(io));
        root.Subcommands.Add(DemoCommand.Create(io));
        root.Subcommands.Add(MigrateCommand.Create(io));
        root.Subcommands.Add(CompanyCommands.Create(io));
        root.Subcommands.Add(KeyCommands.Create(io));
        root.Subcommands.Add(ImportCommand.Create(io));
        root.Subcommands.Add(ExportCommand.Create(io));
        root.Subcommands.Add(HistoryCommand.Create(io));
        root.SetAction((parse, token) =>
        {
            var stray = parse.UnmatchedTokens.FirstOrDefault(t => !t.StartsWith("--", StringComparison.Ordinal));
            if (stray is not null)
            {
                io.Error.WriteLine($"error: unknown command '{stray}'. Run 'contacts --help' for the list of commands.");
                return Task.FromResult(BadInput);
            }
            return ServeCommand.RunAsync(io, parse, [.. parse.UnmatchedTokens], token);
        });

        var result = root.Parse(args);
        // The root lets unmatched tokens through (serve's --Key=value configuration), which System.CommandLine then
        // allows on every subcommand too: refuse them on the commands that do not take them.
        var command = result.CommandResult.Command;
        var errors = command != root && command.TreatUnmatchedTokensAsErrors ? UnknownTokens.Describe(result) : [];
        errors.AddRange(result.Errors.Select(e => e.Message));
        if (errors.Count > 0)
        {
            foreach (var error in errors) io.Error.WriteLine($"error: {error}");
            io.Error.WriteLine($"Run '{string.Join(' ', UnknownTokens.CommandPath(result.CommandResult))} --help' for usage.");
            return BadInput;
        }
        try
        {
            // Without this, System.CommandLine turns every exception (CliException included) into exit code 1.
            return await result.InvokeAsync(new InvocationConfiguration { Output = io.Out, Error = io.Error, EnableDefaultExceptionHandler = false }, ct);
        }
        catch (CliException e)
        {
            io.Error.WriteLine($"error: {e.Message}");
            return e.ExitCode;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested && (command == root || command.Name is "serve" or "demo"))
        {
            // Ctrl+C or SIGTERM while the host was still starting (migrating, say): the host cancels its start.
            io.Error.WriteLine("error: stopped before the service had started");
            return Failed;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            io.Error.WriteLine($"error: {e.Message}");
            return Failed;
        }
    }
}
