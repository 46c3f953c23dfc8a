using Npgsql;

namespace Contacts.Tests.Infrastructure;

/// <summary>
/// What the PostgreSQL server itself saw of one database: with log_statement=all set on that database only, each
/// executed statement is one line of the server's log, prefixed with its database and virtual transaction id. A
/// statement reaches it however it was sent, so the count does not rest on the application's own bookkeeping.
/// </summary>
public sealed class StatementLog
{
    private readonly PostgresServer _server;
    private readonly string _prefix;

    private StatementLog(PostgresServer server, string database)
    {
        _server = server;
        _prefix = $"db={database},vxid=";
    }

    /// <summary>Turns the statement log on for the database (sessions opened from now on log every statement).</summary>
    public static async Task<StatementLog> EnableAsync(PostgresServer server, string connectionString)
    {
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        await using var connection = new NpgsqlConnection(server.AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"ALTER DATABASE {database} SET log_statement = 'all'", connection);
        await command.ExecuteNonQueryAsync();
        return new StatementLog(server, database);
    }

    public long End => _server.LogEnd;

    /// <summary>The statements logged for this database since position: each one's transaction and text.</summary>
    public IReadOnlyList<(string Transaction, string Text)> Since(long position)
    {
        using var reader = new StringReader(_server.LogSince(position));
        var statements = new List<(string, string)>();
        while (reader.ReadLine() is { } line)
        {
            if (!line.StartsWith(_prefix, StringComparison.Ordinal)) continue;
            var colon = line.IndexOf(':', _prefix.Length);
            var text = line[(colon + 1)..];
            // "statement:" for the simple protocol, "execute <name>:" for the extended one; not durations or errors.
            if (!text.StartsWith("LOG:  statement:", StringComparison.Ordinal) && !text.StartsWith("LOG:  execute ", StringComparison.Ordinal)) continue;
            statements.Add((line[_prefix.Length..colon], text));
        }
        return statements;
    }
}
