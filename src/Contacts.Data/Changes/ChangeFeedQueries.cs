using System.Data.Common;
using System.Globalization;
using Contacts.Contracts;
using Contacts.Data.Dialects;
using Contacts.Data.Replication;

namespace Contacts.Data.Changes;

/// <summary>
/// The change feed's SQL (docs/sync.md). Without a cursor the feed walks the company's live contacts in id order, like
/// paging GET /api/v1/contacts, remembering the horizon it started at; then it reads the changes after that position
/// (migrations postgres 0007 and 0010, sqlite 0006), in (position, contact_id) order, up to the current horizon: the
/// company's newest position, below which no transaction can still commit a change. Every read is one statement, so one
/// snapshot.
/// </summary>
public static class ChangeFeedQueries
{
    // Both statements answer the same columns: the horizon, the start of the log (walk), whether the cursor has expired,
    // whether the log has changes since the walk began, then one row per change and tag, and last the node's WAL position.
    private const string ChangeColumns = """
        r.change_seq, r.contact_id, r.deleted_at, r.first_name, r.last_name, r.email, r.phone_number, r.phone_number_lid,
        r.profile_picture, r.created_at, r.updated_at, r.tag_id, r.tag_name, r.tag_color
        """;

    private const string ContactWithTags = """
        c.first_name, c.last_name, c.email, c.phone_number, c.phone_number_lid, c.profile_picture, c.created_at, c.updated_at,
        t.id AS tag_id, t.name AS tag_name, t.color AS tag_color
        """;

    private const string TagJoins = """
        LEFT JOIN contact_tag ct ON ct.company_id = c.company_id AND ct.contact_id = c.id
        LEFT JOIN tag t ON t.company_id = ct.company_id AND t.id = ct.tag_id
        """;

    /// <summary>The page after <paramref name="from"/> (null: from the beginning), at most <paramref name="limit"/> changes.</summary>
    public static async Task<ChangeFeedRead> ReadAsync(ContactsDatabase db, long company, ChangePosition? from, int limit,
        CancellationToken ct)
    {
        var dialect = db.Dialect;
        var walk = from is null or { Kind: ChangePositionKind.Walk };
        // A cursor cannot go on (410) when a purge removed a tombstone at or after it, or when it was read in another
        // history: its mark is not the current one, or its position is ahead of the company's newest (a standby
        // promoted, or a restore, before the new history's first commit). Cursors issued before marks (@history = 0)
        // are good while the database is still in its first history. A walk that starts now cannot be expired.
        var expired = $"""
            @start >= 0 AND (EXISTS (SELECT 1 FROM contact_change_purge p WHERE p.company_id = @company AND p.purged_through >= s.seq)
                OR CASE WHEN @history = 0 THEN NOT h.first_history ELSE @history <> h.history OR s.seq > h.horizon END)
            """;
        var horizon = $"""
            h AS (SELECT {dialect.ChangeHorizon} AS horizon, {SqlDialect.HistoryMark} AS history, {SqlDialect.FirstHistory} AS first_history,
                         {dialect.WalPosition} AS position)
            """;
        // @start < 0: the walk begins now, at this statement's horizon. The flags are computed once (MATERIALIZED), not
        // once per row of the page (measured: 1,155 index probes for a page of 100 contacts with their tags).
        var sql = walk
            ? $"""
               WITH {horizon},
               s AS (SELECT CASE WHEN @start < 0 THEN (SELECT horizon FROM h) ELSE @start END AS seq),
               f AS MATERIALIZED (SELECT h.horizon, h.position, h.history, s.seq, {expired} AS expired,
                      {dialect.ChangedAfter("s.seq")} AS pending
                      FROM h CROSS JOIN s),
               page AS (SELECT c.id FROM contact c WHERE c.company_id = @company AND c.id > @after ORDER BY c.id LIMIT @take)
               SELECT f.horizon, f.seq, f.expired, f.pending, {ChangeColumns}, f.position, f.history
               FROM f LEFT JOIN (
                   SELECT CAST(0 AS bigint) AS change_seq, c.id AS contact_id, NULL AS deleted_at, {ContactWithTags}
                   FROM page p JOIN contact c ON c.company_id = @company AND c.id = p.id
                   {TagJoins}) r ON 1 = 1
               ORDER BY r.contact_id, r.tag_id
               """
            : $"""
               WITH {horizon},
               s AS (SELECT CAST(@start AS bigint) AS seq),
               f AS MATERIALIZED (SELECT h.horizon, h.position, h.history, {expired} AS expired FROM h CROSS JOIN s),
               page AS ({dialect.ChangeLogPage})
               SELECT f.horizon, CAST(@start AS bigint), f.expired, 1 = 0, {ChangeColumns}, f.position, f.history
               FROM f LEFT JOIN (
                   SELECT p.change_seq, p.contact_id, p.deleted_at, {ContactWithTags}
                   FROM page p LEFT JOIN contact c ON c.company_id = @company AND c.id = p.contact_id AND p.deleted_at IS NULL
                   {TagJoins}) r ON 1 = 1
               ORDER BY r.change_seq, r.contact_id, r.tag_id
               """;

        // On a node that has replayed what the previous poll's node had: a node behind it could answer a walk page from an
        // older state than the log position the walk continues from, and that change would never come (docs/scale-out.md).
        ulong? needed = from is { WalPosition: > 0 } ? (ulong)from.WalPosition : null;
        return await db.ReadAsync((connection, token) => ReadPageAsync(db, connection, sql, company, from, limit, walk, token),
            needed, ct: ct);
    }

    private static async Task<ChangeFeedRead> ReadPageAsync(ContactsDatabase db, DbConnection connection, string sql, long company,
        ChangePosition? from, int limit, bool walk, CancellationToken ct)
    {
        await using var command = db.CompanyCommand(connection, company, ChangeStamp.Sql(db) + ";\n" + sql);
        ContactsDatabase.AddParameter(command, "@company", company);
        ContactsDatabase.AddParameter(command, "@start", from?.Seq ?? -1L);
        ContactsDatabase.AddParameter(command, "@after", from?.ContactId ?? 0L);
        ContactsDatabase.AddParameter(command, "@take", limit + 1);
        ContactsDatabase.AddParameter(command, "@history", from?.History ?? 0L);
        await using var reader = await db.ExecuteForCompanyAsync(command, ct);
        var stamp = await ChangeStamp.ReadAsync(reader, ct);

        long horizon = 0, start = 0, position = 0, history = 0;
        bool expired = false, pending = false, first = true;
        var items = new List<(long Seq, long Id, ContactChange Change)>(limit + 1);
        List<ContactTag> tags = [];
        while (await reader.ReadAsync(ct))
        {
            if (first)
            {
                horizon = reader.GetInt64(0);
                start = reader.GetInt64(1);
                expired = Flag(reader, 2);
                pending = Flag(reader, 3);
                position = reader.GetInt64(18);
                history = reader.GetInt64(19);
                first = false;
            }
            if (reader.IsDBNull(5)) break; // the one row of an empty page
            var seq = reader.GetInt64(4);
            var id = reader.GetInt64(5);
            if (items.Count == 0 || items[^1].Id != id || items[^1].Seq != seq)
                items.Add((seq, id, Change(db, reader, id, tags = [])));
            if (!reader.IsDBNull(15)) tags.Add(new ContactTag(PagedQuery.Id(reader, 15), reader.GetString(16), ContactsDatabase.ReadNullableString(reader, 17)));
        }
        if (expired) return new ChangeFeedRead(null, stamp);

        var more = items.Count > limit;
        if (more) items.RemoveAt(items.Count - 1);
        ChangePosition next;
        if (walk)
        {
            next = more ? new ChangePosition(ChangePositionKind.Walk, start, items[^1].Id, position, history)
                // The walk is over: the log follows from where it began, or from the horizon if nothing has changed since.
                : new ChangePosition(ChangePositionKind.Log, pending ? start : horizon, ChangePosition.AllOfPosition, position, history);
            more |= pending;
        }
        else
        {
            // A short page read everything up to the horizon: the position moves to its end.
            next = more ? new ChangePosition(ChangePositionKind.Log, items[^1].Seq, items[^1].Id, position, history)
                : new ChangePosition(ChangePositionKind.Log, horizon, ChangePosition.AllOfPosition, position, history);
        }
        return new ChangeFeedRead(new ChangeFeedPage([.. items.Select(i => i.Change)], next, more), stamp);
    }

    /// <summary>Deletes tombstones recorded before <paramref name="before"/>; cursors from before them then answer 410.</summary>
    public static async Task<long> PurgeAsync(ContactsDatabase db, DateTime before, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using var command = db.Command(connection, db.Dialect.PurgeChanges, transaction);
        ContactsDatabase.AddParameter(command, "@before", db.TimestampValue(before));
        var purged = Convert.ToInt64(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
        await transaction.CommitAsync(ct);
        return purged;
    }

    /// <summary>
    /// Starts a new history (docs/sync.md): every cursor issued so far answers 410 and its client walks again. For what
    /// the database cannot see by itself: an older copy of a SQLite file, or a PostgreSQL data directory restored from a
    /// file-system snapshot (same cluster, same timeline). Returns the new history's id.
    /// </summary>
    public static async Task<long> RestartHistoryAsync(ContactsDatabase db, CancellationToken ct)
    {
        await using var connection = await db.OpenAsOwnerAsync(ct);
        await using var command = db.Command(connection, db.Dialect.RestartHistory);
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }

    private static ContactChange Change(ContactsDatabase db, DbDataReader reader, long id, List<ContactTag> tags)
    {
        if (!reader.IsDBNull(6)) return new ContactDelete(Text(id), PagedQuery.Utc(db.ReadTimestamp(reader, 6)));
        // A live row always has its contact in the same snapshot (the triggers write both in one transaction).
        if (reader.IsDBNull(13)) throw new InvalidOperationException($"contact_change lists contact {id} as live, but the contact row is missing.");
        return new ContactUpsert(new Contact(Text(id),
            ContactsDatabase.ReadNullableString(reader, 7), ContactsDatabase.ReadNullableString(reader, 8),
            ContactsDatabase.ReadNullableString(reader, 9), ContactsDatabase.ReadNullableString(reader, 10),
            ContactsDatabase.ReadNullableString(reader, 11), ContactsDatabase.ReadNullableString(reader, 12),
            PagedQuery.Utc(db.ReadTimestamp(reader, 13)), PagedQuery.Utc(db.ReadTimestamp(reader, 14)), tags));
    }

    private static bool Flag(DbDataReader reader, int ordinal) => Convert.ToBoolean(reader.GetValue(ordinal), CultureInfo.InvariantCulture);

    private static string Text(long id) => id.ToString(CultureInfo.InvariantCulture);
}
