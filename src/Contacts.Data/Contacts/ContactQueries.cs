using System.Data.Common;
using System.Globalization;
using Contacts.Contracts;
using Contacts.Data.Changes;
using Contacts.Data.Dialects;
using Contacts.Data.Replication;

namespace Contacts.Data.Contacts;

/// <summary>GET /api/v1/contacts and /api/v1/contacts/{id}: a company's contacts, filtered and paged, or one. Every statement filters on the company.</summary>
public static class ContactQueries
{
    public static async Task<ListPage<Contact>> ListAsync(ContactsDatabase db, long company, PageWindow window, ContactFilter filters,
        CancellationToken ct = default)
    {
        var filter = new Filter("c.company_id = @company", company);
        if (filters.UpdatedSince is { } since)
        {
            filter.Sql += " AND c.updated_at >= @updated_since";
            filter.Parameters["@updated_since"] = db.TimestampValue(since);
        }
        if (filters.TagIds.Count > 0)
        {
            filter.Sql += " AND c.id IN (SELECT ct.contact_id FROM contact_tag ct WHERE ct.company_id = @company AND ct.tag_id IN (" +
                          string.Join(", ", filters.TagIds.Select((_, i) => $"@tag{i}")) + "))";
            for (var i = 0; i < filters.TagIds.Count; i++) filter.Parameters[$"@tag{i}"] = filters.TagIds[i];
        }
        // A term of one or two characters matches most of a company: no index narrows it, and the page is found after a
        // few rows in id order, so the count and the page are two statements (PageStatements) rather than a window count.
        var folded = filters.Search is { } searched ? SearchText.Fold(searched) : null;
        var shortTerm = folded is not null && IsShortTerm(folded);

        // A search alone: its exact total is cached (SearchTotals) with the company's change horizon in the snapshot that
        // counted it, and the count statement recounts only when the company has a change after that position: written
        // by anyone, through any path (docs/search-performance.md). A hit is one command; a stale total is counted once
        // for all the requests that need it together.
        var cacheable = folded is not null && filters.UpdatedSince is null && filters.TagIds.Count == 0;
        var cacheKey = cacheable ? TotalKey(filters.Search!, folded!) : null;
        var cached = cacheKey is not null ? db.SearchTotals.Find(company, cacheKey) : null;
        // With a known total, a longer term whose matches are dense enough is also paged in id order instead of
        // looking every match up in the trigram index first (`tho` on the 250k company: 6,000 lookups for 10 rows).
        var scan = shortTerm || cached is { } known && ScansInIdOrder(window, known);
        if (filters.Search is { } term) AddSearch(db.Dialect, filter, term, folded!, shortTerm, scan, cached is not null ? window : null);
        if (cacheable)
        {
            filter.Parameters["@cached_since"] = cached?.Since ?? -1L;
            filter.Parameters["@cached_total"] = cached?.Total ?? 0L;
        }
        (long Since, long Size, bool Stale)? horizon = null;

        var counted = !cacheable ? Counted.Own : cached is not null || shortTerm ? Counted.Cached : Counted.Window;
        var sql = PageStatements(db.Dialect, window, filter, filters.IsEmpty, scan, counted);
        var rows = new List<Contact>(window.Limit);
        List<ContactTag>? tags = null;
        // Searches keep their prepared generic plans: the folded pattern is computed once per statement (an InitPlan,
        // PostgresDialect.FoldedParameter), the trigram lookup plans itself per pattern inside contacts_search_ids, and
        // the id-order page probes tags per row (OFFSET 0 in AddSearch), whatever the term. Re-planning cost 9-40 ms per
        // request on the 250k company under the policies. Date and tag filters are planned per execution.
        var customPlans = filters.UpdatedSince is not null || filters.TagIds.Count > 0;
        var (total, stamp) = await PagedQuery.RunAsync(db, company, window, filter, sql, customPlans, reader =>
        {
            if (rows.Count == 0 || rows[^1].Id != PagedQuery.Id(reader, 0)) rows.Add(ReadContact(db, reader, tags = []));
            ReadTag(reader, tags!);
            return reader.GetInt64(12);
        }, ct, cacheable ? reader => horizon = (Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture),
            Convert.ToInt64(reader.GetValue(2), CultureInfo.InvariantCulture), counted == Counted.Cached && reader.IsDBNull(0)) : null);
        if (horizon is { Stale: true } stale)
        {
            // Stale or missing: counted once for every request that needs it now (SearchTotals.CountOnceAsync).
            // A stale total is repaired from the changes since it was counted; a missing one (or one the changes cannot
            // repair) is counted. Once for every request that needs it now (SearchTotals.CountOnceAsync).
            total = (await db.SearchTotals.CountOnceAsync(company, cacheKey!, stale.Since,
                async token => cached is { } before && await RepairAsync(db, company, filter, before, token) is { } repaired
                    ? repaired
                    : await CountAsync(db, company, filter, customPlans, token), ct)).Total;
        }
        else if (horizon is { } seen) db.SearchTotals.Set(company, cacheKey!, new SearchTotals.Entry(seen.Since, total, seen.Size));
        return new ListPage<Contact>(rows, total, stamp);
    }

    /// <summary>Search totals counted over a company's contacts (a first request, or a stale cached total): for operators and tests.</summary>
    private static readonly System.Diagnostics.Metrics.Counter<long> Counts =
        ContactsDatabase.Meter.CreateCounter<long>("contacts.search.counts", description: "Exact search totals counted over a company's contacts");

    /// <summary>A search's total, its horizon and the company's size, in one statement (one snapshot).</summary>
    private static Task<SearchTotals.Entry> CountAsync(ContactsDatabase db, long company, Filter filter, bool customPlans, CancellationToken ct)
    {
        Counts.Add(1);
        db.SearchTotals.CountingOne();
        return db.ReadAsync(async (connection, token) =>
        {
            using var timeLimit = db.Dialect.LimitStatementTime(connection);
            await using var command = db.CompanyCommand(connection, company,
                $"SELECT (SELECT count(*) FROM contact c WHERE {filter.Sql}), {db.Dialect.ChangeHorizon}, {CompanySize}", customPlans);
            filter.Bind(command);
            await using var reader = await db.ExecuteForCompanyAsync(command, token);
            await reader.ReadAsync(token);
            return new SearchTotals.Entry(Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture),
                Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture), Convert.ToInt64(reader.GetValue(2), CultureInfo.InvariantCulture));
        }, ct: ct);
    }

    /// <summary>Search totals repaired from the changes since they were counted, instead of counted again.</summary>
    private static readonly System.Diagnostics.Metrics.Counter<long> Repairs =
        ContactsDatabase.Meter.CreateCounter<long>("contacts.search.repairs", description: "Search totals repaired from the changes since they were counted");

    /// <summary>Changed contacts past which a stale total is counted again rather than repaired.</summary>
    internal const int RepairLimit = 2_000;

    /// <summary>
    /// A stale total repaired (docs/search-performance.md, "Repair"): the cached total, plus the contacts changed since
    /// it was counted that match now, less those that matched then (their before-images at that position). One statement,
    /// one snapshot, reading the changed contacts only. Null when the changes cannot be repaired (too many, a bulk
    /// transaction, a renamed or deleted tag, images purged): the caller counts.
    /// </summary>
    private static Task<SearchTotals.Entry?> RepairAsync(ContactsDatabase db, long company, Filter filter, SearchTotals.Entry before,
        CancellationToken ct)
    {
        if (filter.RepairTests is not var (row, image)) return Task.FromResult<SearchTotals.Entry?>(null);
        var dialect = db.Dialect;
        return db.ReadAsync(async (connection, token) =>
        {
            using var timeLimit = db.Dialect.LimitStatementTime(connection);
            await using var command = db.CompanyCommand(connection, company, $"""
                WITH changed AS ({dialect.ChangedContacts}),
                images AS ({dialect.FirstImages})
                SELECT CASE WHEN NOT {dialect.RepairBlocked}
                                 AND (SELECT count(*) FROM changed) <= @repair_limit
                                 AND (SELECT count(*) FROM images i WHERE i.complete) = (SELECT count(*) FROM changed)
                            THEN @cached_total
                                 + (SELECT count(*) FROM contact c WHERE c.company_id = @company
                                      AND c.id IN (SELECT contact_id FROM changed) AND {row})
                                 - (SELECT count(*) FROM images i WHERE NOT i.absent AND {image})
                       END, {dialect.ChangeHorizon}, {CompanySize}
                """, customPlans: false);
            filter.Bind(command); // @cached_since and @cached_total are the entry's (before's), as for the page
            ContactsDatabase.AddParameter(command, "@repair_limit", (long)RepairLimit);
            await using var reader = await db.ExecuteForCompanyAsync(command, token);
            await reader.ReadAsync(token);
            if (reader.IsDBNull(0)) return (SearchTotals.Entry?)null;
            Repairs.Add(1);
            db.SearchTotals.RepairingOne();
            return new SearchTotals.Entry(Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture),
                Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture), Convert.ToInt64(reader.GetValue(2), CultureInfo.InvariantCulture));
        }, ct: ct);
    }

    private const string CompanySize = "coalesce((SELECT contacts FROM company_contact_count WHERE company_id = @company), 0)";

    /// <summary>
    /// GET /api/v1/contacts/{id}: the contact with its tags, exactly as the list shows it, or null when the company has
    /// no contact with that id (another company's id included: the tenant filter makes the two the same miss), and the
    /// company's stamp read before it. One command, one round trip; a contact with n tags is n rows.
    /// </summary>
    public static async Task<(Contact? Contact, ChangeStamp Stamp)> FindAsync(ContactsDatabase db, long company, long id,
        CancellationToken ct = default) =>
        await db.ReadAsync(async (connection, token) =>
        {
            using var timeLimit = db.Dialect.LimitStatementTime(connection);
            await using var command = db.CompanyCommand(connection, company, $"""
                {ChangeStamp.Sql(db)};
                SELECT {ContactColumns}
                FROM contact c
                LEFT JOIN contact_tag ct ON ct.company_id = c.company_id AND ct.contact_id = c.id
                LEFT JOIN tag t ON t.company_id = ct.company_id AND t.id = ct.tag_id
                WHERE c.company_id = @company AND c.id = @id
                ORDER BY t.id
                """);
            ContactsDatabase.AddParameter(command, "@company", company);
            ContactsDatabase.AddParameter(command, "@id", id);
            await using var reader = await db.ExecuteForCompanyAsync(command, token);
            var stamp = await ChangeStamp.ReadAsync(reader, token);
            Contact? contact = null;
            List<ContactTag> tags = [];
            while (await reader.ReadAsync(token))
            {
                contact ??= ReadContact(db, reader, tags);
                ReadTag(reader, tags);
            }
            return (contact, stamp);
        }, ct: ct);

    /// <summary>A contact and its tags' columns, in the order <see cref="ReadContact"/> and <see cref="ReadTag"/> read them.</summary>
    private const string ContactColumns = """
        c.id, c.first_name, c.last_name, c.email, c.phone_number, c.phone_number_lid,
               c.profile_picture, c.created_at, c.updated_at, t.id, t.name, t.color
        """;

    private static Contact ReadContact(ContactsDatabase db, DbDataReader reader, List<ContactTag> tags) =>
        new(PagedQuery.Id(reader, 0),
            ContactsDatabase.ReadNullableString(reader, 1), ContactsDatabase.ReadNullableString(reader, 2),
            ContactsDatabase.ReadNullableString(reader, 3), ContactsDatabase.ReadNullableString(reader, 4),
            ContactsDatabase.ReadNullableString(reader, 5), ContactsDatabase.ReadNullableString(reader, 6),
            PagedQuery.Utc(db.ReadTimestamp(reader, 7)), PagedQuery.Utc(db.ReadTimestamp(reader, 8)), tags);

    /// <summary>The row's tag, if the contact has one (the left join's NULLs otherwise).</summary>
    private static void ReadTag(DbDataReader reader, List<ContactTag> tags)
    {
        if (!reader.IsDBNull(9)) tags.Add(new ContactTag(PagedQuery.Id(reader, 9), reader.GetString(10), ContactsDatabase.ReadNullableString(reader, 11)));
    }

    /// <summary>
    /// What decides a search's matches: its folded text and, for a phone-like term, the digits it is also matched on
    /// (two terms that fold alike may differ there, `+44` and `＋４４` say), so they never share a cached total.
    /// </summary>
    internal static string TotalKey(string term, string folded) =>
        SearchText.IsPhoneLike(term) ? folded + "\u0000" + SearchText.Digits(term) : folded;

    /// <summary>
    /// Whether the page is cheaper found in id order, testing each contact, than by looking every match up. Measured on
    /// the 250k company (EXPLAIN): the walk reads about 0.5 µs a row (`бори`: 1,828 rows for its first 10 matches,
    /// 0.9 ms), a trigram lookup costs 2-3.5 ms in the company-first index before its first match and about a heap
    /// recheck per match. So the page walks while the rows it expects to read ((offset + limit) × size / total, at most the company) stay
    /// under 2 × total + 5,000: `tho` walks (420 rows), a rare surname (50 of 250,000: 50,000 rows) looks up.
    /// </summary>
    internal static bool ScansInIdOrder(PageWindow window, SearchTotals.Entry known) =>
        known.Total > 0
        && Math.Min(known.CompanySize, (double)(window.Offset + window.Limit) * known.CompanySize / known.Total) <= 2.0 * known.Total + WalkRowsAnyway;

    /// <summary>Rows a walk may read whatever the total: about what a trigram lookup costs before its first match.</summary>
    internal const int WalkRowsAnyway = 5_000;

    /// <summary>Narrows the filter to contacts matching a search term; the SQL depends on the term and the database.</summary>
    /// <summary>
    /// Shorter than a trigram, counted in text elements (grapheme clusters) as a person sees them: two emoji are two,
    /// though four UTF-16 units. Such a term matches much of a company and takes the one-pass path.
    /// </summary>
    internal static bool IsShortTerm(string folded) => new StringInfo(folded).LengthInTextElements < 3;

    /// <param name="knownTotal">The page's window when the search's total is known (cached): its page then needs only
    /// its first matches in id order.</param>
    private static void AddSearch(SqlDialect dialect, Filter filter, string term, string folded, bool shortTerm, bool scan,
        PageWindow? knownTotal)
    {
        // A contact matches on its folded names/email/phones, any of its tags' names, or (for phone-like terms) phone digits.
        var pattern = dialect.FoldedParameter("@pattern");
        var matchingTags = $"SELECT t.id FROM tag t WHERE t.company_id = @company AND t.name_folded LIKE {pattern} ESCAPE '\\'";
        var phoneLike = SearchText.IsPhoneLike(term);
        string ByPhone(string alias) => phoneLike ? $" OR {alias}.phone_digits LIKE @digits" : "";
        var byPhone = ByPhone("c");
        filter.Parameters["@pattern"] = dialect.PatternValue(SearchText.EscapeLike(term));
        if (phoneLike) filter.Parameters["@digits"] = SearchText.ContainsPattern(SearchText.Digits(term));

        // One pass over the company's contacts in id order; most match on their own text, and only the others look for
        // a matching tag, instead of first collecting every contact that carries one. The tag ids are the company's, and
        // contact_tag's composite key ties each row to its tag's company: no company filter on contact_tag, so
        // PostgreSQL reads its (tag_id, contact_id) index alone (one-letter count 110 → 83 ms).
        // The page's probe ends in OFFSET 0 (LIMIT 1 before it for SQLite's grammar), which PostgreSQL never turns into
        // a hashed subplan: hashing every contact that carries a matching tag cost 0.4-1.3 s for the 10 rows of `n`
        // (EXPLAIN, 250k company), probing the few rows that fail the text test costs microseconds. The count over all
        // rows may hash. The page's matching tags are found once per statement (InTagsFoundOnce), not once per probe:
        // for a rarer term (`кс`, thousands of rows walked for 10 matches) that was most of the page's time.
        // And when no tag of the company matches (most terms), the page does not probe at all: whether any tag matches
        // is one uncorrelated subquery, computed once per statement, ahead of the probe in an AND. PostgreSQL's generic
        // plan put the empty tag set in the probe's filter, not its index condition, so every walked row still read
        // contact_tag's index (`да`, 650 matches in 250k: 5,188 probes, 19,517 buffers, 8.2 ms for 10 rows; 1.4 ms without).
        string Matches(string tagTest, string probeEnd, string? anyTag = null) => $"""
            (c.search_text LIKE {pattern} ESCAPE '\'{byPhone} OR {anyTag}EXISTS (SELECT 1 FROM contact_tag ct
                WHERE ct.contact_id = c.id AND ct.tag_id {tagTest}{probeEnd}))
            """;
        var matchesByRow = Matches($"IN ({matchingTags})", "");
        // The same match for one contact now and for a before-image `i` (RepairAsync): text, phone digits, or a matching tag.
        filter.RepairTests = (matchesByRow,
            $"(i.search_text LIKE {pattern} ESCAPE '\\'{ByPhone("i")} OR {dialect.ImageHasTag(matchingTags)})");
        var tenant = filter.Sql;
        if (scan) filter.PageSql = tenant + " AND " + Matches(dialect.InTagsFoundOnce(matchingTags), " LIMIT 1 OFFSET 0",
                                                            $"(SELECT EXISTS ({matchingTags})) AND ");
        if (shortTerm)
        {
            filter.Sql += " AND " + matchesByRow;
            return;
        }
        // Trigram indexes (pg_trgm, SQLite's FTS5) serve LIKE '%term%' from three characters on (digits too, for phones);
        // a longer term is counted through them even when its page walks.
        var trigrams = !phoneLike || SearchText.Digits(term).Length >= 3;
        var byTag = $"""
            SELECT ct.contact_id FROM contact_tag ct
                              JOIN tag t ON t.company_id = ct.company_id AND t.id = ct.tag_id
                              WHERE ct.company_id = @company AND t.name_folded LIKE {pattern} ESCAPE '\'
            """;
        // The rest (terms the index cannot serve): one pass over the company's contacts (on SQLite in 0003's covering index).
        var search = new SearchSql(pattern, byTag, phoneLike, folded);
        var indexed = trigrams ? dialect.IndexedSearch(search) : null;
        filter.Sql += indexed ?? $" AND (c.search_text LIKE {pattern} ESCAPE '\\' OR c.id IN ({byTag}){byPhone})";
        // With the total known, the page reads the rows of its own matches only: the ids are cut to its first
        // offset + limit before any contact is read (SearchSql.FirstMatches).
        if (indexed is not null && knownTotal is { } window && !scan)
        {
            filter.PageSql = tenant + dialect.IndexedSearch(search with { FirstMatches = "@first_matches" });
            filter.Parameters["@first_matches"] = window.Offset + window.Limit;
        }
    }

    /// <summary>How the total of a filtered page is found: cached (validated, else counted), by the page's window, or by its own count.</summary>
    private enum Counted { Cached, Window, Own }

    /// <summary>
    /// The page's statements. Unfiltered, the total is the counter the database keeps (migration 0002) rather than a
    /// count(*) of the company, and a deep page may start from where the dialect knows it starts (DeepPage) rather than
    /// walking to it. Filtered, the total is the cached one when the change feed shows it still exact (else counted in
    /// the same statement), or the page's statement counts its matches itself (count(*) OVER ...): the search runs
    /// once, not twice. A search's first statement also reads the change horizon and the company's size for the cache.
    /// </summary>
    private static PageSql PageStatements(SqlDialect dialect, PageWindow window, Filter filter, bool unfiltered, bool scan, Counted counted)
    {
        var (start, pageIds) = unfiltered
            ? dialect.DeepPage(window.Offset)
              ?? ("", "SELECT c.id, CAST(0 AS bigint) AS total FROM contact c WHERE c.company_id = @company ORDER BY c.id LIMIT @limit OFFSET @offset")
            : counted == Counted.Cached || scan
            ? ("", $"SELECT c.id, CAST(0 AS bigint) AS total FROM contact c WHERE {filter.Page} ORDER BY c.id LIMIT @limit OFFSET @offset")
            // The window is ordered like the page, so that SQLite does not sort every match again for the ORDER BY.
            : ("", $"""
                   SELECT c.id, count(*) OVER (ORDER BY c.id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS total
                   FROM contact c WHERE {filter.Page} ORDER BY c.id LIMIT @limit OFFSET @offset
                   """);
        const string size = CompanySize;
        // The page's contacts and their tags in one statement (a contact with n tags is n rows, in id then tag order).
        return new PageSql(
            Count: unfiltered ? $"SELECT {size}"
                : counted == Counted.Cached
                // NULL when stale or missing: the total is then counted once for all the requests that need it at the
                // same time (CountAsync through SearchTotals.CountOnceAsync), not by each inside its own command.
                ? $"""
                  SELECT CASE WHEN @cached_since >= 0 AND NOT {dialect.ChangedAfter("@cached_since")}
                              THEN @cached_total END, {dialect.ChangeHorizon}, {size}
                  """
                // The window counts: this statement's snapshot is taken before the page's, so its horizon is at most
                // the page's, and a change the count did not see is at or past it (docs/search-performance.md).
                : counted == Counted.Window ? $"SELECT NULL, {dialect.ChangeHorizon}, {size}"
                // Not cacheable (date or tag filters) and paged in id order: a count of its own.
                : scan ? $"SELECT count(*) FROM contact c WHERE {filter.Sql}"
                : null,
            Page: $"""
                {start}SELECT {ContactColumns}, p.total
                FROM ({pageIds}) p
                JOIN contact c ON c.id = p.id
                LEFT JOIN contact_tag ct ON ct.company_id = c.company_id AND ct.contact_id = c.id
                LEFT JOIN tag t ON t.company_id = ct.company_id AND t.id = ct.tag_id
                ORDER BY c.id, t.id
                """,
            CountAll: $"SELECT count(*) FROM contact c WHERE {filter.Sql}");
    }
}
