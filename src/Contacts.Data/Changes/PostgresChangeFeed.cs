namespace Contacts.Data.Changes;

/// <summary>PostgreSQL: change_seq is the writing transaction's id (migration 0007).</summary>
internal sealed class PostgresChangeFeed : ChangeFeedDialect
{
    public static readonly PostgresChangeFeed Instance = new();

    // The oldest transaction still running when this statement took its snapshot: every id below it has committed or
    // aborted, so no change can appear below it later. An open transaction holds the feed back until it ends.
    public override string Horizon => "pg_snapshot_xmin(pg_current_snapshot())::text::bigint";

    // A SECURITY DEFINER function: the purge crosses companies, which row-level security forbids the service's role.
    public override string Purge => "SELECT contacts_purge_changes(@before)";
}
