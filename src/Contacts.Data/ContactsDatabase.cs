using System.Data;
using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Contacts.Data;

/// <summary>
/// The one way to the database for the web host and the CLI: opens connections for the configured
/// provider and knows the few places where SQLite and PostgreSQL differ.
/// </summary>
public sealed class ContactsDatabase : IAsyncDisposable
{
    private const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
    private readonly NpgsqlDataSource? _npgsql;
    private readonly NpgsqlDataSource? _owner;
    private readonly string _sqliteConnectionString = "";

    public ContactsDatabase(DatabaseOptions options)
    {
        Options = options;
        if (options.Provider == DatabaseProvider.Postgres)
        {
            _npgsql = PostgresDataSource(options, options.ConnectionString);
            if (options.MigrationsConnectionString is { } owner && owner != options.ConnectionString)
                _owner = PostgresDataSource(options, owner);
        }
        else
        {
            var builder = new SqliteConnectionStringBuilder(options.ConnectionString ?? DatabaseOptions.DefaultSqliteConnectionString)
            {
                ForeignKeys = true,
                DefaultTimeout = options.CommandTimeoutSeconds,
                Pooling = true,
            };
            _sqliteConnectionString = builder.ConnectionString;
            SqliteFile = Path.GetFullPath(builder.DataSource);
        }
    }

    private static NpgsqlDataSource PostgresDataSource(DatabaseOptions options, string? connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!ExplicitlySet(connectionString, "Timeout")) builder.Timeout = options.ConnectTimeoutSeconds;
        if (!ExplicitlySet(connectionString, "Command Timeout")) builder.CommandTimeout = options.CommandTimeoutSeconds;
        if (!ExplicitlySet(connectionString, "Maximum Pool Size")) builder.MaxPoolSize = options.MaxPoolSize;
        builder.ApplicationName ??= "contacts";
        // Requests leave no session state behind (the company setting is transaction-local, see CompanyCommand), so the
        // pool need not send DISCARD ALL on every return, and the prepared statements survive from one rental to the next:
        // a statement used twice is prepared (parsed once per server session, and planned once where the plan does not
        // depend on the values; see CompanyCommand's customPlans).
        if (!ExplicitlySet(connectionString, "No Reset On Close")) builder.NoResetOnClose = true;
        if (!ExplicitlySet(connectionString, "Max Auto Prepare")) builder.MaxAutoPrepare = 64;
        if (!ExplicitlySet(connectionString, "Auto Prepare Min Usages")) builder.AutoPrepareMinUsages = 2;
        return new NpgsqlDataSourceBuilder(builder.ConnectionString).Build();
    }

    public DatabaseOptions Options { get; }
    public DatabaseProvider Provider => Options.Provider;
    public bool IsPostgres => Provider == DatabaseProvider.Postgres;

    /// <summary>Full path of the SQLite database file (null on PostgreSQL).</summary>
    public string? SqliteFile { get; }

    private static bool ExplicitlySet(string? connectionString, string keyword) =>
        connectionString?.Contains(keyword, StringComparison.OrdinalIgnoreCase) == true;

    public async Task<DbConnection> OpenAsync(CancellationToken ct = default)
    {
        if (_npgsql is not null) return await _npgsql.OpenConnectionAsync(ct);
        var connection = new SqliteConnection(_sqliteConnectionString);
        await connection.OpenAsync(ct);
        return connection;
    }

    /// <summary>
    /// One command for one company's request. On PostgreSQL its first statement sets contacts.company_id, which the
    /// row-level security policies read (docs/isolation.md), for the command's own implicit transaction only: the
    /// statements of one command share a transaction, the setting ends with it, and the pooled session keeps nothing of
    /// the request. The statements are prepared (auto-prepare); plan_cache_mode, set for the same transaction, decides how
    /// they are planned: customPlans plans each execution for its actual values (searches and filters, whose best plan
    /// depends on the term), otherwise the prepared generic plan is used as is. Left to itself ("auto"), PostgreSQL keeps
    /// re-planning the unfiltered page on every request, because a generic LIMIT $2 looks costlier than LIMIT 10: measured,
    /// that planning was most of the database's time on a list request. The whole request is one round trip. Read it
    /// with <see cref="ExecuteForCompanyAsync"/>.
    /// </summary>
    public DbCommand CompanyCommand(DbConnection connection, long company, string sql, bool customPlans = false)
    {
        if (!IsPostgres) return Command(connection, sql);
        var command = Command(connection,
            $"SELECT set_config('contacts.company_id', @scope_company, true), set_config('plan_cache_mode', '{(customPlans ? "force_custom_plan" : "force_generic_plan")}', true);\n" + sql);
        AddParameter(command, "@scope_company", company.ToString(CultureInfo.InvariantCulture));
        return command;
    }

    /// <summary>Runs a <see cref="CompanyCommand"/>: the reader starts at the first result of the caller's own SQL.</summary>
    public async Task<DbDataReader> ExecuteForCompanyAsync(DbCommand command, CancellationToken ct = default)
    {
        var reader = await command.ExecuteReaderAsync(ct);
        try
        {
            if (IsPostgres) await reader.NextResultAsync(ct); // past the set_config row
            return reader;
        }
        catch
        {
            await reader.DisposeAsync();
            throw;
        }
    }

    /// <summary>A connection as the schema owner (ConnectionStrings:ContactsMigrations when set): for migrations.</summary>
    public async Task<DbConnection> OpenAsOwnerAsync(CancellationToken ct = default) =>
        _owner is not null ? await _owner.OpenConnectionAsync(ct) : await OpenAsync(ct);

    /// <summary>Commands created, by provider: how many statements requests cost (operators' dashboards, and the test that a page costs a fixed number).</summary>
    public static readonly System.Diagnostics.Metrics.Meter Meter = new("Contacts.Data");
    private static readonly System.Diagnostics.Metrics.Counter<long> Commands = Meter.CreateCounter<long>("contacts.db.commands");

    public DbCommand Command(DbConnection connection, string sql, DbTransaction? transaction = null)
    {
        Commands.Add(1);
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        command.CommandTimeout = Options.CommandTimeoutSeconds;
        return command;
    }

    /// <summary>SQL for a search pattern parameter: PostgreSQL folds it with the same function as the stored text.</summary>
    public string FoldedParameter(string parameter) => IsPostgres ? $"contacts_fold({parameter})" : parameter;

    /// <summary>The value for a pattern parameter: folded here on SQLite, in SQL on PostgreSQL.</summary>
    public string PatternValue(string escapedTerm) =>
        SearchText.ContainsPattern(IsPostgres ? escapedTerm : SearchText.Fold(escapedTerm));

    public object TimestampValue(DateTime utc) =>
        IsPostgres ? DateTime.SpecifyKind(utc, DateTimeKind.Utc) : FormatTimestamp(utc);

    public static string FormatTimestamp(DateTime utc) =>
        DateTime.SpecifyKind(utc, DateTimeKind.Utc).ToString(TimestampFormat, CultureInfo.InvariantCulture);

    public DateTime ReadTimestamp(DbDataReader reader, int ordinal)
    {
        if (IsPostgres) return DateTime.SpecifyKind(reader.GetDateTime(ordinal), DateTimeKind.Utc);
        var text = reader.GetString(ordinal);
        return DateTime.Parse(text, CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
    }

    public static string? ReadNullableString(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    /// <summary>Adds one parameter per value and returns "(@p0, @p1, ...)" for an IN list.</summary>
    public static string InList<T>(DbCommand command, string prefix, IReadOnlyList<T> values)
    {
        var names = new string[values.Count];
        for (var i = 0; i < values.Count; i++)
        {
            names[i] = $"@{prefix}{i}";
            AddParameter(command, names[i], values[i]);
        }
        return "(" + string.Join(", ", names) + ")";
    }

    /// <summary>"column IN (...)" for a list of values: one array parameter on PostgreSQL, one parameter per value on SQLite.</summary>
    public string AnyOf<T>(DbCommand command, string column, string name, IReadOnlyList<T> values)
    {
        if (values.Count == 0) return "1 = 0";
        if (!IsPostgres) return $"{column} IN {InList(command, name, values)}";
        AddParameter(command, "@" + name, values.ToArray());
        return $"{column} = ANY(@{name})";
    }

    public static void AddParameter(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        if (value is string && parameter is NpgsqlParameter np) np.NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text;
        command.Parameters.Add(parameter);
    }

    /// <summary>True when the exception means "the database is not there right now" (answer 503, retry later).</summary>
    public static bool IsUnavailable(Exception exception) => exception switch
    {
        NpgsqlException { IsTransient: true } => true,
        NpgsqlException { InnerException: TimeoutException or System.Net.Sockets.SocketException or IOException } => true,
        PostgresException { SqlState: "57014" or "57P01" or "57P02" or "57P03" or "53300" or "08000" or "08003" or "08006" } => true,
        SqliteException { SqliteErrorCode: 5 or 6 } => true, // SQLITE_BUSY, SQLITE_LOCKED
        TimeoutException => true,
        InvalidOperationException { InnerException: { } inner } => IsUnavailable(inner),
        _ => false,
    };

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        _owner?.Dispose();
        return _npgsql?.DisposeAsync() ?? ValueTask.CompletedTask;
    }
}
