using System.ComponentModel.DataAnnotations;

namespace Contacts.Data;

/// <summary>
/// Bound from the "Database" section plus ConnectionStrings:Contacts and ConnectionStrings:ContactsMigrations
/// (DataServices.AddDatabaseOptions), the rules across settings in <see cref="DatabaseOptionsValidation"/>.
/// </summary>
public sealed class DatabaseOptions
{
    public const string DefaultSqliteConnectionString = "Data Source=contacts.db";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;
    public string? ConnectionString { get; set; }
    /// <summary>The schema owner's connection (migrations, admin CLI); null means the same as <see cref="ConnectionString"/>. See docs/isolation.md.</summary>
    public string? MigrationsConnectionString { get; set; }
    [Range(1, 3600)]
    public int CommandTimeoutSeconds { get; set; } = 10;
    [Range(1, 3600)]
    public int ConnectTimeoutSeconds { get; set; } = 5;
    public bool MigrateOnStart { get; set; } = true;
    public RowLevelSecurityMode RowLevelSecurity { get; set; } = RowLevelSecurityMode.Required;
    /// <summary>
    /// Connections to PostgreSQL at most: by default twice this machine's cores (at least 4). A database runs at most one
    /// statement per core at a time; more connections than that only queue inside it. Measured on the 2-core benchmark
    /// machine: 4 connections gave the tags list p99 5 ms at 7,700 req/s, 32 connections p99 51 ms at 5,700 req/s.
    /// </summary>
    [Range(1, 1000)]
    public int MaxPoolSize { get; set; } = Math.Max(4, 2 * Environment.ProcessorCount);
    /// <summary>Streaming standbys that serve reads (ConnectionStrings:ContactsReplicas); none by default. docs/scale-out.md.</summary>
    public Replication.ReplicaOptions Replicas { get; set; } = new();

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
