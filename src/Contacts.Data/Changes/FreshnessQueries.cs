using System.Data.Common;
using Contacts.Data.Replication;

namespace Contacts.Data.Changes;

/// <summary>
/// What the freshness metrics read (migration postgres 0010, docs/operations.md#freshness), PostgreSQL only. Plain
/// commands beside the service's own, like the replica monitor's probes: they are not statements a request costs.
/// </summary>
public static class FreshnessQueries
{
    // A SECURITY DEFINER function: the newest commit across companies, which row-level security hides from the role.
    private const string NewestCommit = """
        has_function_privilege('contacts_change_newest_commit()', 'EXECUTE'),
        CASE WHEN has_function_privilege('contacts_change_newest_commit()', 'EXECUTE') THEN contacts_change_newest_commit() END
        """;

    /// <summary>
    /// Transactions holding an id, in any database of the cluster: backends (pg_stat_activity shows every role's
    /// backend_xid, but another role's xact_start only to pg_read_all_stats, as in pg_monitor) and prepared transactions
    /// (with the time they were prepared). Not the snapshot's xmin: it leaves out a running transaction whose id is above
    /// every completed one (pg_current_snapshot() read 726:726: while transaction 726 held a row lock), so a single
    /// forgotten transaction on a quiet primary would never show.
    /// </summary>
    public static async Task<PrimaryFreshness> ReadPrimaryAsync(ContactsDatabase db, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var command = Plain(connection, $"""
            WITH x AS (SELECT a.backend_xid AS xid, a.xact_start AS started FROM pg_stat_activity a WHERE a.backend_xid IS NOT NULL
                       UNION ALL SELECT p.transaction, p.prepared FROM pg_prepared_xacts p)
            SELECT clock_timestamp(), {NewestCommit},
                   (SELECT x.xid::text::bigint FROM x ORDER BY age(x.xid) DESC LIMIT 1),
                   (SELECT extract(epoch FROM max(clock_timestamp() - x.started))::float8 FROM x)
            """);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new PrimaryFreshness(reader.GetFieldValue<DateTimeOffset>(0), reader.GetBoolean(1),
            reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2),
            reader.IsDBNull(3) ? null : reader.GetInt64(3),
            reader.IsDBNull(4) ? null : reader.GetDouble(4));
    }

    /// <summary>The newest commit a feed can show on a standby, as replayed there; MayRead as on the primary.</summary>
    public static async Task<(bool MayRead, DateTimeOffset? NewestCommit)> ReadStandbyAsync(DatabaseNode node, CancellationToken ct)
    {
        await using var connection = await node.Source.OpenConnectionAsync(ct);
        await using var command = Plain(connection, $"SELECT {NewestCommit}");
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.GetBoolean(0), reader.IsDBNull(1) ? null : reader.GetFieldValue<DateTimeOffset>(1));
    }

    /// <summary>Not <see cref="ContactsDatabase.Command"/>: these are not counted among the statements requests cost.</summary>
    private static DbCommand Plain(DbConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }
}
