using Contacts.Data.Companies;
using Contacts.Data.Keys;
using System.CommandLine;
using System.Text.Json;
using Contacts.Data;
using Contacts.Import;

namespace Contacts.Cli;

/// <summary>
/// One executable, subcommands. Exit codes: 0 success, 1 the operation failed (e.g. database unreachable),
/// 2 bad input (bad flags, unknown company or key, missing file, invalid import rows).
/// </summary>
public static class ContactsCli
{
    public const int Ok = 0, Failed = 1, BadInput = 2;

    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = false,
    };

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct = default)
    {
        var io = new CliContext(stdout, stderr);
        var root = new RootCommand("Contacts API: the server (serve, the default) and its admin commands.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        foreach (var option in io.GlobalOptions) root.Options.Add(option);

        root.Subcommands.Add(ServeCommand(io, "serve", "Run the HTTP API (the default command). Extra --Key=value arguments are configuration."));
        root.Subcommands.Add(DemoCommand(io));
        root.Subcommands.Add(MigrateCommand(io));
        root.Subcommands.Add(CompanyCommands(io));
        root.Subcommands.Add(KeyCommands(io));
        root.Subcommands.Add(ImportCommand.Create(io));
        root.Subcommands.Add(ExportCommand.Create(io));
        root.SetAction((parse, token) =>
        {
            var stray = parse.UnmatchedTokens.FirstOrDefault(t => !t.StartsWith("--", StringComparison.Ordinal));
            if (stray is not null)
            {
                stderr.WriteLine($"error: unknown command '{stray}'. Run 'contacts --help' for the list of commands.");
                return Task.FromResult(BadInput);
            }
            return io.RunServerAsync(parse, [.. parse.UnmatchedTokens], token);
        });

        var result = root.Parse(args);
        // The root lets unmatched tokens through (serve's --Key=value configuration), which System.CommandLine then
        // allows on every subcommand too: refuse them on the commands that do not take them.
        var command = result.CommandResult.Command;
        var errors = result.Errors.Select(e => e.Message).ToList();
        if (errors.Count == 0 && command != root && command.TreatUnmatchedTokensAsErrors)
            errors.AddRange(result.UnmatchedTokens.Select(t => $"unrecognized argument '{t}' for '{command.Name}'."));
        if (errors.Count > 0)
        {
            foreach (var error in errors) stderr.WriteLine($"error: {error}");
            stderr.WriteLine("Run 'contacts --help' for usage.");
            return BadInput;
        }
        try
        {
            // Without this, System.CommandLine turns every exception (CliException included) into exit code 1.
            return await result.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false }, ct);
        }
        catch (CliException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return e.ExitCode;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested && (command == root || command.Name is "serve" or "demo"))
        {
            // Ctrl+C or SIGTERM while the host was still starting (migrating, say): the host cancels its start.
            stderr.WriteLine("error: stopped before the service had started");
            return Failed;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            stderr.WriteLine($"error: {e.Message}");
            return Failed;
        }
    }

    private static Command ServeCommand(CliContext io, string name, string description)
    {
        var command = new Command(name, description) { TreatUnmatchedTokensAsErrors = false };
        command.SetAction((parse, ct) => io.RunServerAsync(parse, [.. parse.UnmatchedTokens], ct));
        return command;
    }

    private static Command DemoCommand(CliContext io)
    {
        var command = new Command("demo",
            "Create a demo company with ~1000 generated contacts (once), print a fresh API key and curl examples, then serve.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.SetAction(async (parse, ct) =>
        {
            await using var db = io.Open(parse);
            await Migrator.MigrateAsync(db, ct);
            var (company, created) = await DemoData.EnsureAsync(db, ct);
            var key = await KeyQueries.CreateAsync(db, company.Id, "demo", ct);
            var urls = parse.UnmatchedTokens.FirstOrDefault(t => t.StartsWith("--urls=", StringComparison.Ordinal))?["--urls=".Length..]
                       ?? Environment.GetEnvironmentVariable("ASPNETCORE_URLS") ?? "http://localhost:5000";
            var baseUrl = urls.Split(';')[0].TrimEnd('/').Replace("://+", "://localhost", StringComparison.Ordinal)
                .Replace("://*", "://localhost", StringComparison.Ordinal).Replace("://0.0.0.0", "://localhost", StringComparison.Ordinal);
            io.Out.WriteLine(created
                ? $"Created demo company {company.Id} '{company.Name}' with {DemoData.ContactCount} contacts."
                : $"Using demo company {company.Id} '{company.Name}'.");
            io.Out.WriteLine($"API key (shown once): {key.Key}");
            io.Out.WriteLine();
            io.Out.WriteLine("Try:");
            io.Out.WriteLine($"  curl -s -H 'Authorization: Bearer {key.Key}' '{baseUrl}/api/v1/contacts?limit=2&search=jose'");
            io.Out.WriteLine($"  curl -s -H 'Authorization: Bearer {key.Key}' '{baseUrl}/api/v1/contacts/tags'");
            io.Out.WriteLine();
            io.Out.WriteLine($"Or open {baseUrl}/docs, paste the key and try both endpoints in the browser.");
            io.Out.WriteLine();
            var forwarded = parse.UnmatchedTokens.Any(t => t.StartsWith("--urls", StringComparison.Ordinal))
                ? parse.UnmatchedTokens.ToArray()
                : [.. parse.UnmatchedTokens, $"--urls={baseUrl}"];
            return await io.RunServerAsync(parse, forwarded, ct);
        });
        return command;
    }

    private static Command MigrateCommand(CliContext io)
    {
        var command = new Command("migrate", "Apply pending schema migrations and exit.") { io.JsonOption };
        command.SetAction(async (parse, ct) =>
        {
            await using var db = io.Open(parse);
            StartupChecks.EnsureSqliteFolderUsable(db);
            var applied = await Migrator.MigrateAsync(db, ct);
            var version = await Migrator.CurrentVersionAsync(db, ct);
            io.Write(parse, new { applied = applied.Select(m => m.Name).ToArray(), version },
                () => applied.Count == 0
                    ? $"Schema is up to date (version {version})."
                    : string.Join(Environment.NewLine, applied.Select(m => $"Applied {m.Name}")) + $"{Environment.NewLine}Schema is at version {version}.");
            return Ok;
        });
        return command;
    }

    private static Command CompanyCommands(CliContext io)
    {
        var name = new Option<string>("--name") { Description = "Company name", Required = true };
        var create = new Command("create", "Create a company and print its id.") { name, io.JsonOption };
        create.SetAction(async (parse, ct) =>
        {
            var value = parse.GetValue(name)!.Trim();
            if (value.Length == 0) throw new CliException("--name must not be empty.");
            await using var db = await io.OpenMigratedAsync(parse, ct);
            var company = await CompanyQueries.CreateAsync(db, value, ct);
            io.Write(parse, new { id = company.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), name = company.Name, created_at = company.CreatedAt },
                () => $"Created company {company.Id} '{company.Name}'.");
            return Ok;
        });

        var list = new Command("list", "List companies with their contact and active key counts.") { io.JsonOption };
        list.SetAction(async (parse, ct) =>
        {
            await using var db = await io.OpenMigratedAsync(parse, ct);
            var companies = await CompanyQueries.ListAsync(db, ct);
            io.Write(parse, companies.Select(c => new { id = c.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), name = c.Name, created_at = c.CreatedAt, contacts = c.Contacts, active_keys = c.ActiveKeys }),
                () => companies.Count == 0 ? "No companies yet. Create one with: contacts company create --name NAME"
                    : string.Join(Environment.NewLine, companies.Select(c => $"{c.Id,6}  {c.Name}  ({c.Contacts} contacts, {c.ActiveKeys} active keys)")));
            return Ok;
        });
        return new Command("company", "Manage companies (tenants).") { create, list };
    }

    private static Command KeyCommands(CliContext io)
    {
        var company = new Option<long>("--company") { Description = "Company id", Required = true };
        var label = new Option<string?>("--name") { Description = "A label for the key (e.g. the integration using it)" };
        var create = new Command("create", "Create an API key for a company. The key is shown once.") { company, label, io.JsonOption };
        create.SetAction(async (parse, ct) =>
        {
            await using var db = await io.OpenMigratedAsync(parse, ct);
            var companyId = await io.RequireCompanyAsync(db, parse.GetValue(company), ct);
            var key = await KeyQueries.CreateAsync(db, companyId, parse.GetValue(label), ct);
            io.Write(parse, new { id = key.Id, company_id = key.CompanyId.ToString(System.Globalization.CultureInfo.InvariantCulture), name = key.Name, key = key.Key },
                () => $"Created key {key.Id} for company {key.CompanyId}. Store it now, it is not shown again:{Environment.NewLine}{key.Key}");
            return Ok;
        });

        var list = new Command("list", "List a company's keys (ids and dates, never secrets).") { company, io.JsonOption };
        list.SetAction(async (parse, ct) =>
        {
            await using var db = await io.OpenMigratedAsync(parse, ct);
            var companyId = await io.RequireCompanyAsync(db, parse.GetValue(company), ct);
            var keys = await KeyQueries.ListAsync(db, companyId, ct);
            io.Write(parse, keys.Select(k => new { id = k.Id, company_id = k.CompanyId.ToString(System.Globalization.CultureInfo.InvariantCulture), name = k.Name, created_at = k.CreatedAt, revoked_at = k.RevokedAt, last_used_at = k.LastUsedAt }),
                () => keys.Count == 0 ? $"Company {companyId} has no keys."
                    : string.Join(Environment.NewLine, keys.Select(k =>
                        $"{k.Id}  {(k.RevokedAt is null ? "active " : "revoked")}  {k.Name ?? "-"}  created {k.CreatedAt:u}  last used {(k.LastUsedAt is { } u ? u.ToString("u", System.Globalization.CultureInfo.InvariantCulture) : "never")}")));
            return Ok;
        });

        var id = new Option<string>("--id") { Description = "The key id shown by 'key create' and 'key list'", Required = true };
        var revoke = new Command("revoke", "Revoke a key. Servers stop accepting it within Auth:CacheSeconds.") { id, io.JsonOption };
        revoke.SetAction(async (parse, ct) =>
        {
            await using var db = await io.OpenMigratedAsync(parse, ct);
            var keyId = parse.GetValue(id)!.Trim();
            if (!await KeyQueries.RevokeAsync(db, keyId, ct))
                throw new CliException($"No active key with id '{keyId}'.", BadInput);
            io.Write(parse, new { id = keyId, revoked = true }, () => $"Revoked key {keyId}.");
            return Ok;
        });
        return new Command("key", "Manage API keys.") { create, list, revoke };
    }
}

public sealed class CliException(string message, int exitCode = ContactsCli.BadInput) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
