namespace Contacts.Data.Changes;

/// <summary>PostgreSQL: positions drawn at commit per company, in contact_change_txn (migration 0010).</summary>
internal sealed class PostgresChangeFeed : ChangeFeedDialect
{
    public static readonly PostgresChangeFeed Instance = new();

    // The company's newest position this snapshot sees. Positions are drawn at commit under the company's lock, so every
    // lower one was committed before it and is visible too; a transaction still open draws a higher one when it commits.
    // Other companies' transactions play no part.
    public override string Horizon =>
        "coalesce((SELECT max(x.seq) FROM contact_change_txn x WHERE x.company_id = @company), 0)";

    // Tags' own writes give the company a position too (migration 0012).
    public override string CompanyPosition => Horizon;

    public override string History => "(SELECT h.mark FROM contact_change_history h ORDER BY h.id DESC LIMIT 1)";

    public override string FirstHistory => "(SELECT count(*) = 1 FROM contact_change_history)";

    public override string ChangedAfter(string position) =>
        $"EXISTS (SELECT 1 FROM contact_change_txn x WHERE x.company_id = @company AND x.seq > {position})";

    // Transactions in position order, each one's contacts in id order (at most a page of them: the sort after the join
    // only orders each transaction's few rows, an incremental sort, however big the transaction was).
    public override string LogPage => """
        SELECT x.seq AS change_seq, cc.contact_id, cc.deleted_at
        FROM contact_change_txn x
        CROSS JOIN LATERAL (
            SELECT cc.contact_id, cc.deleted_at FROM contact_change cc
            WHERE cc.company_id = @company AND cc.txn_key = x.txn_key
              AND cc.contact_id > CASE WHEN x.seq = @start THEN @after ELSE -1 END
            ORDER BY cc.contact_id LIMIT @take) cc
        WHERE x.company_id = @company AND x.seq >= @start AND x.seq <= (SELECT horizon FROM h)
        ORDER BY x.seq, cc.contact_id LIMIT @take
        """;

    // A standby: what it has received, which is at or past what it has replayed (a commit becomes visible on replay a moment
    // before the replay position moves past it). The primary: where the next record will go, at or past every commit a
    // snapshot can see, asynchronous commits included (they are visible before they are written).
    public override string Position => """
        (CASE WHEN pg_is_in_recovery() THEN GREATEST(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())
              ELSE pg_current_wal_insert_lsn() END - '0/0'::pg_lsn)::bigint
        """;

    // A SECURITY DEFINER function: the purge crosses companies, which row-level security forbids the service's role.
    public override string Purge => "SELECT contacts_purge_changes(@before)";

    public override string RestartHistory => """
        INSERT INTO contact_change_history (mark, system_identifier, timeline, database_oid)
        SELECT floor(random() * 9007199254740991)::bigint + 1, i.system_identifier, i.timeline, i.database_oid
        FROM contacts_change_identity() i RETURNING id
        """;

    // The latest change of each contact is in contact_change (one row per contact), its position in contact_change_txn.
    public override string ChangedContacts => """
        SELECT cc.contact_id FROM contact_change_txn x
        JOIN contact_change cc ON cc.company_id = x.company_id AND cc.txn_key = x.txn_key
        WHERE x.company_id = @company AND x.seq > @cached_since
        LIMIT @repair_limit + 1
        """;

    // Migration 0013: one image per contact and transaction; the first transaction after the position holds the state at it.
    public override string FirstImages => """
        SELECT DISTINCT ON (i.contact_id) i.contact_id, i.absent, i.text_known AND i.tags_known AS complete,
               i.search_text, i.phone_digits, i.tag_ids
        FROM contact_search_image i
        JOIN contact_change_txn x ON x.txn_key = i.txn_key AND x.company_id = i.company_id
        WHERE i.company_id = @company AND i.contact_id IN (SELECT contact_id FROM changed) AND x.seq > @cached_since
        ORDER BY i.contact_id, x.seq
        """;

    public override string RepairBlocked => """
        (EXISTS (SELECT 1 FROM contact_search_bulk b
                 JOIN contact_change_txn x ON x.txn_key = b.txn_key AND x.company_id = b.company_id
                 WHERE b.company_id = @company AND x.seq > @cached_since)
         OR EXISTS (SELECT 1 FROM contact_change_txn x
                    WHERE x.company_id = @company AND x.seq > @cached_since
                      AND x.txn_key < (SELECT p.below_key FROM contact_search_image_purge p)))
        """;

    public override string ImageHasTag(string tagIds) => $"i.tag_ids && ARRAY({tagIds})";
}
