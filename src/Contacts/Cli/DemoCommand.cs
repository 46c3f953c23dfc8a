using System.CommandLine;
using Contacts.Data;

namespace Contacts.Cli;

/// <summary>contacts demo: the server, then the demo company (once), a new key (revoking the previous run's) and curl examples.</summary>
internal static class DemoCommand
{
    public static Command Create(CliContext io)
    {
        var command = io.UsesDatabase(new Command("demo",
            "Start the server, create a demo company with ~1000 generated contacts (once), print a new API key (revoking the previous " +
            $"demo key) and curl examples for the addresses the server listens on. {ServeCommand.SettingsHelp}")
        {
            io.UrlsOption,
        });
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, ct) =>
        {
            string[] serverArgs = [.. parse.UnmatchedTokens];
            // The server starts first: an address it cannot listen on (https without a certificate, a port in use) stops
            // the demo here, before the previous key is revoked or a new one made; and the curl commands name the
            // addresses it really listens on, whatever chose them (--urls, ASPNETCORE_HTTP_PORTS, Kestrel:Endpoints, port 0).
            await using var app = ServeCommand.Build(io, parse, serverArgs);
            await app.StartAsync(ct);
            await using var db = io.Open(parse, serverArgs);
            await Migrator.MigrateAsync(db, ct);
            var (company, created) = await DemoData.EnsureAsync(db, app.Services.GetRequiredService<TimeProvider>(), ct);
            var (key, revoked) = await DemoData.NewKeyAsync(db, company.Id, ct);
            var baseUrl = CurlBaseUrl(string.Join(';', app.Urls));

            io.Out.WriteLine($"Listening on {string.Join(", ", app.Urls)}");
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
            io.Out.WriteLine($"Or open {baseUrl}/docs, paste the key and try the endpoints in the browser.");
            io.Out.WriteLine();
            await app.WaitForShutdownAsync(ct);
            return ContactsCli.Ok;
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
