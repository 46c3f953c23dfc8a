using System.CommandLine;
using System.Text.Json;
using Contacts.Data;

namespace Contacts.Cli;

/// <summary>What every command shares: output writers, the global database options, --json rendering.</summary>
public sealed class CliContext(TextWriter stdout, TextWriter stderr)
{
    public TextWriter Out { get; } = stdout;
    public TextWriter Error { get; } = stderr;

    public Option<bool> JsonOption { get; } = new("--json") { Description = "Machine-readable JSON output" };

    public Option<string?> ProviderOption { get; } = new("--provider")
    {
        Description = "sqlite or postgres (overrides Database:Provider)",
        Recursive = true,
    };

    public Option<string?> ConnectionOption { get; } = new("--connection-string")
    {
        Description = "Overrides ConnectionStrings:Contacts",
        Recursive = true,
    };

    public IEnumerable<Option> GlobalOptions => [ProviderOption, ConnectionOption];

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

    public ContactsDatabase Open(ParseResult parse)
    {
        try
        {
            // Admin commands act for every company, so they connect as the schema owner (docs/isolation.md).
            return new ContactsDatabase(DatabaseOptions.FromConfiguration(Configuration(parse)).AsOwner());
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
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
        await Admin.FindCompanyAsync(db, companyId, ct) is null
            ? throw new CliException($"No company with id {companyId}. List them with: contacts company list")
            : companyId;

    public void Write<T>(ParseResult parse, T value, Func<string> text)
    {
        Out.WriteLine(parse.GetValue(JsonOption) ? JsonSerializer.Serialize(value, ContactsCli.Json) : text());
    }

    public async Task<int> RunServerAsync(ParseResult parse, string[] args, CancellationToken ct)
    {
        var configArgs = new List<string>(args);
        if (parse.GetValue(ProviderOption) is { } provider) configArgs.Add($"--Database:Provider={provider}");
        if (parse.GetValue(ConnectionOption) is { } connection) configArgs.Add($"--ConnectionStrings:Contacts={connection}");
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
