using System.CommandLine;

namespace Contacts.Cli;

/// <summary>contacts serve (also the default command): the HTTP API; extra --Key=value arguments are configuration.</summary>
internal static class ServeCommand
{
    public static Command Create(CliContext io)
    {
        var command = new Command("serve", "Run the HTTP API (the default command). Extra --Key=value arguments are configuration.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.SetAction((parse, ct) => RunAsync(io, parse, [.. parse.UnmatchedTokens], ct));
        return command;
    }

    public static async Task<int> RunAsync(CliContext io, ParseResult parse, string[] args, CancellationToken ct)
    {
        var configArgs = new List<string>(args);
        if (parse.GetValue(io.ProviderOption) is { } provider) configArgs.Add($"--Database:Provider={provider}");
        if (parse.GetValue(io.ConnectionOption) is { } connection) configArgs.Add($"--ConnectionStrings:Contacts={connection}");
        WebApplication app;
        try
        {
            app = ContactsApp.Build([.. configArgs]);
        }
        catch (Exception e) when (e is InvalidOperationException or Microsoft.Extensions.Options.OptionsValidationException or AggregateException)
        {
            // A setting that cannot be read or breaks its rule: one line naming it, not the host's stack trace.
            throw new CliException(e is AggregateException all ? string.Join(" ", all.InnerExceptions.Select(i => i.Message)) : e.Message);
        }
        await app.RunAsync(ct);
        return ContactsCli.Ok;
    }
}
