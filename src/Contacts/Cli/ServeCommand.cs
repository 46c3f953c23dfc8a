using System.CommandLine;

namespace Contacts.Cli;

/// <summary>contacts serve (also the default command): the HTTP API; extra --Section:Key=value arguments are configuration.</summary>
internal static class ServeCommand
{
    /// <summary>How settings reach serve and demo, for their help.</summary>
    public const string SettingsHelp =
        "Settings (README, Configuration): as arguments --Section:Key=value (--Database:Provider=postgres), as environment " +
        "variables Section__Key (Database__Provider=postgres), or in appsettings.json beside the executable.";

    public static Command Create(CliContext io)
    {
        var command = io.UsesDatabase(new Command("serve", $"Run the HTTP API (the default command). {SettingsHelp}")
        {
            io.UrlsOption,
        });
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parse, ct) => RunAsync(io, parse, [.. parse.UnmatchedTokens], ct));
        return command;
    }

    public static async Task<int> RunAsync(CliContext io, ParseResult parse, string[] args, CancellationToken ct)
    {
        await Build(io, parse, args).RunAsync(ct);
        return ContactsCli.Ok;
    }

    /// <summary>The web host with the command's options and extra arguments as configuration; a bad setting is one line naming it.</summary>
    public static WebApplication Build(CliContext io, ParseResult parse, string[] args)
    {
        var configArgs = new List<string>(args);
        if (parse.GetValue(io.UrlsOption) is { } urls) configArgs.Add($"--urls={urls}");
        if (parse.GetValue(io.ProviderOption) is { } provider) configArgs.Add($"--Database:Provider={provider}");
        if (parse.GetValue(io.ConnectionOption) is { } connection) configArgs.Add($"--ConnectionStrings:Contacts={connection}");
        try
        {
            return ContactsApp.Build([.. configArgs]);
        }
        catch (Exception e) when (e is InvalidOperationException or Microsoft.Extensions.Options.OptionsValidationException or AggregateException)
        {
            // A setting that cannot be read or breaks its rule: one line naming it, not the host's stack trace.
            // Distinct: a section read by another (Database's standbys) names the same problem for both.
            throw new CliException(e is AggregateException all ? string.Join(" ", all.InnerExceptions.Select(i => i.Message).Distinct()) : e.Message);
        }
    }
}
