using System.CommandLine;
using Contacts.Data;

namespace Contacts.Cli;

/// <summary>contacts demo: the demo company (once), a new key (revoking the previous run's), curl examples, then the server.</summary>
internal static class DemoCommand
{
    public static Command Create(CliContext io)
    {
        var command = new Command("demo",
            "Create a demo company with ~1000 generated contacts (once), print a new API key (revoking the previous demo key) and curl examples, then serve.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.SetAction(async (parse, ct) =>
        {
            string[] serverArgs = [.. parse.UnmatchedTokens];
            var baseUrl = CurlBaseUrl(io.Configuration(parse, serverArgs)["urls"] ?? io.Environment("ASPNETCORE_URLS"));
            await using var db = io.Open(parse);
            await Migrator.MigrateAsync(db, ct);
            var (company, created) = await DemoData.EnsureAsync(db, ct);
            var (key, revoked) = await DemoData.NewKeyAsync(db, company.Id, ct);

            io.Out.WriteLine(created
                ? $"Created demo company {company.Id} '{company.Name}' with {DemoData.ContactCount} contacts."
                : $"Using demo company {company.Id} '{company.Name}'.");
            io.Out.WriteLine($"API key (shown once): {key.Key}");
            if (revoked > 0) io.Out.WriteLine($"The demo key of the previous run is revoked ({revoked} key(s)).");
            io.Out.WriteLine();
            io.Out.WriteLine("Try:");
            io.Out.WriteLine($"  curl -s -H 'Authorization: Bearer {key.Key}' '{baseUrl}/api/v1/contacts?limit=2&search=jose'");
            io.Out.WriteLine($"  curl -s -H 'Authorization: Bearer {key.Key}' '{baseUrl}/api/v1/contacts/tags'");
            io.Out.WriteLine();
            io.Out.WriteLine($"Or open {baseUrl}/docs, paste the key and try both endpoints in the browser.");
            io.Out.WriteLine();
            // The server reads --urls (in any form the configuration accepts) and ASPNETCORE_URLS itself.
            return await ServeCommand.RunAsync(io, parse, serverArgs, ct);
        });
        return command;
    }

    /// <summary>The first listening address, as a client on this machine would call it.</summary>
    internal static string CurlBaseUrl(string? urls)
    {
        var first = (urls ?? "http://localhost:5000").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .DefaultIfEmpty("http://localhost:5000").First().TrimEnd('/');
        foreach (var any in new[] { "://+", "://*", "://0.0.0.0", "://[::]" })
            first = first.Replace(any, "://localhost", StringComparison.Ordinal);
        return first;
    }
}
