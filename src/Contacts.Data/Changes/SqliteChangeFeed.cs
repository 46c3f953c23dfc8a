namespace Contacts.Data.Changes;

/// <summary>SQLite: change_seq is a counter bumped by the one writer (migration 0006).</summary>
internal sealed class SqliteChangeFeed : ChangeFeedDialect
{
    public static readonly SqliteChangeFeed Instance = new();

    // A writer's numbers are above everything committed before it, and a reader sees only committed ones: every number
    // up to the counter it sees is final. Writers of other companies wait for the one writer, readers never do.
    public override string Horizon => "(SELECT seq FROM contact_change_counter)";

    // The counter is shared by every company: its own newest change (one probe of contact_change_feed), or its tags'
    // newest write (migration 0010), whichever is later.
    public override string CompanyPosition => """
        max(coalesce((SELECT max(cc.change_seq) FROM contact_change cc WHERE cc.company_id = @company), 0),
            coalesce((SELECT t.change_seq FROM company_tag_change t WHERE t.company_id = @company), 0))
        """;

    public override string History => "(SELECT h.mark FROM contact_change_history h ORDER BY h.id DESC LIMIT 1)";

    public override string FirstHistory => "(SELECT count(*) = 1 FROM contact_change_history)";

    public override string ChangedAfter(string position) =>
        $"EXISTS (SELECT 1 FROM contact_change x WHERE x.company_id = @company AND x.change_seq > {position})";

    public override string LogPage => """
        SELECT cc.change_seq, cc.contact_id, cc.deleted_at FROM contact_change cc
        WHERE cc.company_id = @company AND (cc.change_seq, cc.contact_id) > (@start, @after)
          AND cc.change_seq <= (SELECT horizon FROM h)
        ORDER BY cc.change_seq, cc.contact_id LIMIT @take
        """;

    public override string Position => "0";

    public override string RestartHistory => """
        INSERT INTO contact_change_history (mark, started_at)
        VALUES ((abs(random()) % 9007199254740991) + 1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) RETURNING id
        """;

    // Also the search images (migration 0011) of changes before the counter at the previous purge: each is kept between
    // one and two purge intervals (Sync:PurgeIntervalMinutes, an hour), at least as long as a cached total lives unvalidated.
    public override string Purge => """
        DELETE FROM contact_search_image WHERE at < (SELECT next_below FROM contact_search_image_purge);
        DELETE FROM contact_search_bulk WHERE at < (SELECT next_below FROM contact_search_image_purge);
        UPDATE contact_search_image_purge SET below = next_below, next_below = (SELECT seq FROM contact_change_counter);
        INSERT INTO contact_change_purge (company_id, purged_through)
        SELECT company_id, max(change_seq) FROM contact_change WHERE deleted_at < @before GROUP BY company_id
        ON CONFLICT (company_id) DO UPDATE SET purged_through = max(purged_through, excluded.purged_through);
        DELETE FROM contact_change WHERE deleted_at < @before;
        SELECT changes();
        """;

    public override string ChangedContacts => """
        SELECT cc.contact_id FROM contact_change cc
        WHERE cc.company_id = @company AND cc.change_seq > @cached_since
        LIMIT @repair_limit + 1
        """;

    // Migration 0011: an image per change, taken before the counter moves (at); the first one at or after the position
    // (the next writer starts from the counter the reader saw) holds the state at it.
    public override string FirstImages => """
        SELECT i.contact_id, i.absent, 1 AS complete, i.search_text, i.phone_digits, i.tag_ids
        FROM changed ch
        JOIN contact_search_image i ON i.n = (
            SELECT min(j.n) FROM contact_search_image j
            WHERE j.company_id = @company AND j.contact_id = ch.contact_id AND j.at >= @cached_since)
        """;

    public override string RepairBlocked => """
        (EXISTS (SELECT 1 FROM contact_search_bulk b WHERE b.company_id = @company AND b.at >= @cached_since)
         OR @cached_since < (SELECT p.below FROM contact_search_image_purge p))
        """;

    public override string ImageHasTag(string tagIds) => $"EXISTS (SELECT 1 FROM json_each(i.tag_ids) j WHERE j.value IN ({tagIds}))";
}
