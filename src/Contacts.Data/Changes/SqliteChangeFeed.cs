namespace Contacts.Data.Changes;

/// <summary>SQLite: change_seq is a counter bumped by the one writer (migration 0006).</summary>
internal sealed class SqliteChangeFeed : ChangeFeedDialect
{
    public static readonly SqliteChangeFeed Instance = new();

    // A writer's numbers are above everything committed before it, and a reader sees only committed ones: every number
    // up to the counter it sees is final.
    public override string Horizon => "(SELECT seq + 1 FROM contact_change_counter)";

    public override string Position => "0";

    public override string Purge => """
        INSERT INTO contact_change_purge (company_id, purged_through)
        SELECT company_id, max(change_seq) FROM contact_change WHERE deleted_at < @before GROUP BY company_id
        ON CONFLICT (company_id) DO UPDATE SET purged_through = max(purged_through, excluded.purged_through);
        DELETE FROM contact_change WHERE deleted_at < @before;
        SELECT changes();
        """;
}
