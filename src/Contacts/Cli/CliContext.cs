using Contacts.Data.Companies;
using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Contacts.Data;
using Microsoft.Extensions.Options;

namespace Contacts.Cli;

/// <summary>
/// What every command shares: the process's streams and environment (tests pass their own), the global database
/// options, --json rendering.
/// </summary>
public sealed class CliContext(TextWriter stdout, TextWriter stderr, TextReader stdin, Func<string, string?> environment)
{
    public TextWriter Out { get; } = stdout;
    public TextWriter Error { get; } = stderr;
    public TextReader In { get; } = stdin;

    public string? Environment(string name) => environment(name);

    public Option<bool> JsonOption { get; } = new("--json") { Description = "Machine-readable JSON output" };

    // Not recursive: each command that opens the database takes them (UsesDatabase), so `export --help` does not list
    // options that would do nothing there. Given before the command's name (`contacts --provider postgres key list`), the root takes them.
    public Option<string?> ProviderOption { get; } = new("--provider") { Description = "sqlite or postgres (overrides Database:Provider)" };

    public Option<string?> ConnectionOption { get; } = new("--connection-string") { Description = "Overrides ConnectionStrings:Contacts" };

    public IEnumerable<Option> GlobalOptions => [ProviderOption, ConnectionOption];

    /// <summary>serve's and demo's listening addresses, handed to the host as its `urls` setting.</summary>
    public Option<string?> UrlsOption { get; } = new("--urls")
    {
        Description = "Addresses to listen on, ';' between several (http://0.0.0.0:8080, http://127.0.0.1:0 for a free port). " +
                      "Default http://localhost:5000, or ASPNETCORE_URLS, ASPNETCORE_HTTP_PORTS or Kestrel:Endpoints when set",
    };

    /// <summary>The command, with the options that choose the database (a command that opens it).</summary>
    public Command UsesDatabase(Command command)
    {
        foreach (var option in GlobalOptions) command.Options.Add(option);
        return command;
    }

    /// <summary>Configuration as the server sees it (appsettings.json, environment, extra args) plus the global options.</summary>
    public IConfiguration Configuration(ParseResult parse, string[]? extraArgs = null)
    {
        var overrides = new Dictionary<string, string?>();
        if (parse.GetValue(ProviderOption) is { } provider) overrides["Database:Provider"] = provider;
        if (parse.GetValue(ConnectionOption) is { } connection)
            overrides["ConnectionStrings:Contacts"] = overrides["ConnectionStrings:ContactsMigrations"] = connection;
        return new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(extraArgs ?? [])
            .AddInMemoryCollection(overrides)
            .Build();
    }

    public ContactsDatabase Open(ParseResult parse, string[]? extraArgs = null)
    {
        try
        {
            // Admin commands act for every company, so they connect as the schema owner (docs/isolation.md).
            return new ContactsDatabase(DataServices.ReadDatabaseOptions(Configuration(parse, extraArgs)).AsOwner());
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or OptionsValidationException)
        {
            throw new CliException(e.Message);
        }
    }

    public async Task<ContactsDatabase> OpenMigratedAsync(ParseResult parse, CancellationToken ct)
    {
        var db = Open(parse);
        StartupChecks.EnsureSqliteFolderUsable(db);
        await Migrator.MigrateAsync(db, ct);
        return db;
    }

    public async Task<long> RequireCompanyAsync(ContactsDatabase db, long companyId, CancellationToken ct) =>
        await CompanyQueries.FindAsync(db, companyId, ct) is null
            ? throw new CliException($"No company with id {companyId}. List them with: contacts company list")
            : companyId;

    /// <summary>One line on stdout: the value as JSON with --json, else the text.</summary>
    public void Write<T>(ParseResult parse, T value, JsonTypeInfo<T> json, Func<string> text) =>
        Out.WriteLine(parse.GetValue(JsonOption) ? JsonSerializer.Serialize(value, json) : text());
}
