using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Contacts.Data;

public enum DatabaseProvider { Sqlite, Postgres }

/// <summary>Required: company commands run under PostgreSQL's row-level security, or the service does not start. Off: the explicit opt-out.</summary>
public enum RowLevelSecurityMode { Required, Off }

/// <summary>Bound from the "Database" section plus ConnectionStrings:Contacts and ConnectionStrings:ContactsMigrations.</summary>
public sealed class DatabaseOptions
{
    public const string DefaultSqliteConnectionString = "Data Source=contacts.db";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;
    public string? ConnectionString { get; set; }
    /// <summary>The schema owner's connection (migrations, admin CLI); null means the same as <see cref="ConnectionString"/>. See docs/isolation.md.</summary>
    public string? MigrationsConnectionString { get; set; }
    public int CommandTimeoutSeconds { get; set; } = 10;
    public int ConnectTimeoutSeconds { get; set; } = 5;
    public bool MigrateOnStart { get; set; } = true;
    public RowLevelSecurityMode RowLevelSecurity { get; set; } = RowLevelSecurityMode.Required;
    /// <summary>
    /// Connections to PostgreSQL at most: by default twice this machine's cores (at least 4). A database runs at most one
    /// statement per core at a time; more connections than that only queue inside it. Measured on the 2-core benchmark
    /// machine: 4 connections gave the tags list p99 5 ms at 7,700 req/s, 32 connections p99 51 ms at 5,700 req/s.
    /// </summary>
    public int MaxPoolSize { get; set; } = Math.Max(4, 2 * Environment.ProcessorCount);
    /// <summary>Streaming standbys that serve reads (ConnectionStrings:ContactsReplicas); none by default. docs/scale-out.md.</summary>
    public Replication.ReplicaOptions Replicas { get; set; } = new();

    public static DatabaseOptions FromConfiguration(IConfiguration configuration)
    {
        var options = new DatabaseOptions();
        var section = configuration.GetSection("Database");
        var provider = section["Provider"];
        if (!string.IsNullOrWhiteSpace(provider))
        {
            options.Provider = provider.Trim().ToLowerInvariant() switch
            {
                "sqlite" => DatabaseProvider.Sqlite,
                "postgres" or "postgresql" or "npgsql" => DatabaseProvider.Postgres,
                _ => throw new InvalidOperationException(
                    $"Database:Provider must be 'sqlite' or 'postgres', not '{provider}'."),
            };
        }
        options.ConnectionString = configuration.GetConnectionString("Contacts");
        var migrations = configuration.GetConnectionString("ContactsMigrations");
        options.MigrationsConnectionString = string.IsNullOrWhiteSpace(migrations) ? null : migrations;
        options.CommandTimeoutSeconds = WholeNumber(section, "CommandTimeoutSeconds", options.CommandTimeoutSeconds, 1, 3600);
        options.ConnectTimeoutSeconds = WholeNumber(section, "ConnectTimeoutSeconds", options.ConnectTimeoutSeconds, 1, 3600);
        options.MaxPoolSize = WholeNumber(section, "MaxPoolSize", options.MaxPoolSize, 1, 1000);
        options.MigrateOnStart = Flag(section, "MigrateOnStart", options.MigrateOnStart);
        if (section["RowLevelSecurity"] is { Length: > 0 } rls)
            options.RowLevelSecurity = Enum.TryParse<RowLevelSecurityMode>(rls, ignoreCase: true, out var mode) && Enum.IsDefined(mode) ? mode
                : throw new InvalidOperationException($"Database:RowLevelSecurity: '{rls}' is not 'Required' or 'Off'.");
        options.Replicas = Replication.ReplicaOptions.FromConfiguration(configuration, options.Provider);
        if (options.Provider == DatabaseProvider.Postgres && string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            throw new InvalidOperationException(
                "Database:Provider is 'postgres' but ConnectionStrings:Contacts is not set " +
                "(e.g. ConnectionStrings__Contacts='Host=localhost;Database=contacts;Username=contacts;Password=...').");
        }
        return options;
    }

    // A setting that is present but unreadable stops start-up: silently falling back to the default hid typos.
    private static int WholeNumber(IConfigurationSection section, string name, int fallback, int min, int max)
    {
        var text = section[name];
        if (string.IsNullOrWhiteSpace(text)) return fallback; // as the configuration binder treats an empty value
        if (!int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            throw new InvalidOperationException($"{section.Path}:{name}: '{text}' is not a whole number.");
        if (value < min || value > max)
            throw new InvalidOperationException($"{section.Path}:{name}: {value} is out of range; it must be between {min} and {max}.");
        return value;
    }

    private static bool Flag(IConfigurationSection section, string name, bool fallback)
    {
        var text = section[name];
        if (string.IsNullOrWhiteSpace(text)) return fallback;
        return bool.TryParse(text.Trim(), out var value)
            ? value
            : throw new InvalidOperationException($"{section.Path}:{name}: '{text}' is not true or false.");
    }

    /// <summary>The same settings connecting as the schema owner: what the admin CLI uses.</summary>
    public DatabaseOptions AsOwner() => new()
    {
        Provider = Provider,
        ConnectionString = MigrationsConnectionString ?? ConnectionString,
        CommandTimeoutSeconds = CommandTimeoutSeconds,
        ConnectTimeoutSeconds = ConnectTimeoutSeconds,
        MigrateOnStart = MigrateOnStart,
        MaxPoolSize = MaxPoolSize,
        RowLevelSecurity = RowLevelSecurity,
    };
}
