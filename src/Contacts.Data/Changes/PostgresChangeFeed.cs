namespace Contacts.Data.Changes;

/// <summary>PostgreSQL: change_seq is the writing transaction's id (migration 0007).</summary>
internal sealed class PostgresChangeFeed : ChangeFeedDialect
{
    public static readonly PostgresChangeFeed Instance = new();

    // The oldest transaction still running when this statement took its snapshot: every id below it has committed or
    // aborted, so no change can appear below it later. An open transaction holds the feed back until it ends.
    public override string Horizon => "pg_snapshot_xmin(pg_current_snapshot())::text::bigint";

    // A standby: what it has received, which is at or past what it has replayed (a commit becomes visible on replay a moment
    // before the replay position moves past it). The primary: where the next record will go, at or past every commit a
    // snapshot can see, asynchronous commits included (they are visible before they are written).
    public override string Position => """
        (CASE WHEN pg_is_in_recovery() THEN GREATEST(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())
              ELSE pg_current_wal_insert_lsn() END - '0/0'::pg_lsn)::bigint
        """;

    // A SECURITY DEFINER function: the purge crosses companies, which row-level security forbids the service's role.
    public override string Purge => "SELECT contacts_purge_changes(@before)";
}
