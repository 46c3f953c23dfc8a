using System.Data;
using System.Data.Common;
using Contacts.Data.Contacts;
using Contacts.Data.Dialects;
using Contacts.Data.Replication;

namespace Contacts.Data;

/// <summary>
/// The one way to the database for the web host and the CLI: the configured database's dialect, chosen once here, and
/// the few helpers every query module uses to build and read commands.
/// </summary>
public sealed class ContactsDatabase : IAsyncDisposable
{
    public ContactsDatabase(DatabaseOptions options, TimeProvider? clock = null)
    {
        Options = options;
        Clock = clock ?? TimeProvider.System;
        Dialect = SqlDialect.Create(options);
        Replicas = Dialect.CreateReplicas(Clock);
        SearchTotals = new SearchTotals(SearchTotals.DefaultCapacity, Clock);
    }

    /// <summary>The primary and its standbys when ConnectionStrings:ContactsReplicas names any; null otherwise.</summary>
    public ReplicaSet? Replicas { get; }

    public DatabaseOptions Options { get; }

    /// <summary>The clock for the times the data layer writes (created_at, revoked_at, imports); tests pass a fake one.</summary>
    public TimeProvider Clock { get; }
    public SqlDialect Dialect { get; }

    /// <summary>
    /// Exact search totals of this database, each valid while its company's data version is unchanged: here rather than
    /// in the service container because the query modules that use it are static and take the database.
    /// </summary>
    internal SearchTotals SearchTotals { get; }

    public DatabaseProvider Provider => Dialect.Provider;

    /// <summary>Full path of the SQLite database file (null on PostgreSQL).</summary>
    public string? SqliteFile => Dialect.SqliteFile;

    /// <summary>A connection to the primary: for everything that writes, and reads that must see the latest write.</summary>
    public ValueTask<DbConnection> OpenAsync(CancellationToken ct = default) => Dialect.OpenAsync(ct);

    /// <summary>A connection as the schema owner (ConnectionStrings:ContactsMigrations when set): for migrations.</summary>
    public ValueTask<DbConnection> OpenAsOwnerAsync(CancellationToken ct = default) => Dialect.OpenAsOwnerAsync(ct);

    /// <summary>
    /// One command for one company's request, the whole request in one round trip: on PostgreSQL it first scopes the
    /// command's transaction to the company for row-level security (<see cref="SqlDialect.ScopeToCompany"/>).
    /// Read it with <see cref="ExecuteForCompanyAsync"/>.
    /// </summary>
    public DbCommand CompanyCommand(DbConnection connection, long company, string sql, bool customPlans = false)
    {
        var command = Command(connection, Dialect.ScopeToCompany(sql, customPlans));
        Dialect.BindScope(command, company);
        return command;
    }

    /// <summary>Runs a <see cref="CompanyCommand"/>: the reader starts at the first result of the caller's own SQL.</summary>
    public async Task<DbDataReader> ExecuteForCompanyAsync(DbCommand command, CancellationToken ct = default)
    {
        var reader = await command.ExecuteReaderAsync(ct);
        try
        {
            await Dialect.SkipScopeAsync(reader, ct);
            return reader;
        }
        catch
        {
            await reader.DisposeAsync();
            throw;
        }
    }

    /// <summary>The data layer's instruments: commands created (<see cref="SqlDialect.Command"/>), search counts, replicas.</summary>
    public static readonly System.Diagnostics.Metrics.Meter Meter = new("Contacts.Data");

    public DbCommand Command(DbConnection connection, string sql, DbTransaction? transaction = null) =>
        Dialect.Command(connection, sql, transaction);

    public object TimestampValue(DateTime utc) => Dialect.TimestampValue(utc);

    public DateTime ReadTimestamp(DbDataReader reader, int ordinal) => Dialect.ReadTimestamp(reader, ordinal);

    public DateTime? ReadNullableTimestamp(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : Dialect.ReadTimestamp(reader, ordinal);

    public static string? ReadNullableString(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static void AddParameter(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        // Text on every provider (SQLite infers it anyway): PostgreSQL's driver would otherwise send a .NET string as
        // unknown-typed text, and the statements compare it with text columns. DbType.String is its NpgsqlDbType.Text.
        if (value is string) parameter.DbType = DbType.String;
        command.Parameters.Add(parameter);
    }

    /// <summary>True when the exception means "the database is not there right now" (answer 503, retry later).</summary>
    public static bool IsUnavailable(Exception exception) => exception switch
    {
        TimeoutException => true,
        InvalidOperationException { InnerException: { } inner } => IsUnavailable(inner),
        _ => SqlDialect.IsUnavailableError(exception),
    };

    public async ValueTask DisposeAsync()
    {
        if (Replicas is not null) await Replicas.DisposeAsync();
        await Dialect.DisposeAsync();
    }
}
