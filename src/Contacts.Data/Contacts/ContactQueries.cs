using System.Globalization;
using Contacts.Contracts;
using Contacts.Data.Dialects;

namespace Contacts.Data.Contacts;

/// <summary>What narrows a contacts list: a search term, updated_since (incremental sync), tag ids (any of).</summary>
public sealed record ContactFilter(string? Search, DateTime? UpdatedSince, IReadOnlyList<long> TagIds)
{
    public static readonly ContactFilter None = new(null, null, []);

    internal bool IsEmpty => Search is null && UpdatedSince is null && TagIds.Count == 0;
}

/// <summary>GET /api/v1/contacts: a company's contacts, filtered and paged. Every statement filters on the company.</summary>
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
        if (filters.Search is { } term) AddSearch(db.Dialect, filter, term, folded!, shortTerm);

        // A short term alone: its exact total is cached (SearchTotals) with the change horizon of the snapshot that
        // counted it, and the count statement recounts only when the change feed's table holds a change at or past
        // that horizon: written by anyone, through any path (docs/search-performance.md). Still one command.
        var cacheable = shortTerm && filters.UpdatedSince is null && filters.TagIds.Count == 0;
        var cached = (Since: -1L, Total: 0L);
        if (cacheable && db.Dialect.SearchTotals.TryGet(company, filters.Search!, out var cachedSince, out var cachedTotal))
            cached = (cachedSince, cachedTotal);
        if (cacheable)
        {
            filter.Parameters["@cached_since"] = cached.Since;
            filter.Parameters["@cached_total"] = cached.Total;
        }
        long? horizon = null;

        var sql = PageStatements(db.Dialect, window, filter, filters.IsEmpty, shortTerm, cacheable);
        var rows = new List<Contact>(window.Limit);
        List<ContactTag>? tags = null;
        // A search of three characters or more keeps its prepared generic plan: its shape does not depend on the term
        // (ids from contacts_search_ids, which plans its own lookup per pattern; EXPLAIN: the same plan either way), and
        // re-planning it cost ~9-40 ms per request on the 250k company under the policies. A short term is planned per
        // execution: how many rows fail its LIKE decides between probing tags per row and hashing every tagged contact
        // (a generic plan hashed them for `t`: 0.4-1 s a page, bench/README.md). So are date and tag filters.
        var customPlans = shortTerm || filters.UpdatedSince is not null || filters.TagIds.Count > 0;
        var total = await PagedQuery.RunAsync(db, company, window, filter, sql, customPlans, reader =>
        {
            var id = PagedQuery.Id(reader, 0);
            if (rows.Count == 0 || rows[^1].Id != id)
            {
                rows.Add(new Contact(id,
                    ContactsDatabase.ReadNullableString(reader, 1), ContactsDatabase.ReadNullableString(reader, 2),
                    ContactsDatabase.ReadNullableString(reader, 3), ContactsDatabase.ReadNullableString(reader, 4),
                    ContactsDatabase.ReadNullableString(reader, 5), ContactsDatabase.ReadNullableString(reader, 6),
                    PagedQuery.Utc(db.ReadTimestamp(reader, 7)), PagedQuery.Utc(db.ReadTimestamp(reader, 8)), tags = []));
            }
            if (!reader.IsDBNull(9)) tags!.Add(new ContactTag(PagedQuery.Id(reader, 9), reader.GetString(10), ContactsDatabase.ReadNullableString(reader, 11)));
            return reader.GetInt64(12);
        }, ct, cacheable ? reader => horizon = Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture) : null);
        if (horizon is { } seen) db.Dialect.SearchTotals.Set(company, filters.Search!, seen, total);
        return new ListPage<Contact>(rows, total);
    }

    /// <summary>Narrows the filter to contacts matching a search term; the SQL depends on the term and the database.</summary>
    /// <summary>
    /// Shorter than a trigram, counted in text elements (grapheme clusters) as a person sees them: two emoji are two,
    /// though four UTF-16 units. Such a term matches much of a company and takes the one-pass path.
    /// </summary>
    internal static bool IsShortTerm(string folded) => new StringInfo(folded).LengthInTextElements < 3;

    private static void AddSearch(SqlDialect dialect, Filter filter, string term, string folded, bool shortTerm)
    {
        // A contact matches on its folded names/email/phones, any of its tags' names, or (for phone-like terms) phone digits.
        var pattern = dialect.FoldedParameter("@pattern");
        var byTag = $"""
            SELECT ct.contact_id FROM contact_tag ct
                              JOIN tag t ON t.company_id = ct.company_id AND t.id = ct.tag_id
                              WHERE ct.company_id = @company AND t.name_folded LIKE {pattern} ESCAPE '\'
            """;
        var phoneLike = SearchText.IsPhoneLike(term);
        var byPhone = phoneLike ? " OR c.phone_digits LIKE @digits" : "";
        filter.Parameters["@pattern"] = dialect.PatternValue(SearchText.EscapeLike(term));
        if (phoneLike) filter.Parameters["@digits"] = SearchText.ContainsPattern(SearchText.Digits(term));
        if (shortTerm)
        {
            // One pass over the company's contacts; most match on their own text, and only the others look for a
            // matching tag, instead of first collecting every contact that carries one. The tag ids are the
            // company's, and contact_tag's composite key ties each row to its tag's company: no company filter on
            // contact_tag, so PostgreSQL reads its (tag_id, contact_id) index alone (one-letter count 110 → 83 ms).
            filter.Sql += $"""
                 AND (c.search_text LIKE {pattern} ESCAPE '\'{byPhone} OR EXISTS (SELECT 1 FROM contact_tag ct
                    WHERE ct.contact_id = c.id AND ct.tag_id IN
                        (SELECT t.id FROM tag t WHERE t.company_id = @company AND t.name_folded LIKE {pattern} ESCAPE '\')))
                """;
            return;
        }
        // Trigram indexes (pg_trgm, SQLite's FTS5) serve LIKE '%term%' from three characters on (digits too, for phones).
        var trigrams = !phoneLike || SearchText.Digits(term).Length >= 3;
        // The rest (terms the index cannot serve): one pass over the company's contacts (on SQLite in 0003's covering index).
        filter.Sql += (trigrams ? dialect.IndexedSearch(new SearchSql(pattern, byTag, phoneLike, folded)) : null)
                      ?? $" AND (c.search_text LIKE {pattern} ESCAPE '\\' OR c.id IN ({byTag}){byPhone})";
    }

    /// <summary>
    /// The page's statements. Unfiltered, the total is the counter the database keeps (migration 0002) rather than a
    /// count(*) of the company, and a deep page may start from where the dialect knows it starts (DeepPage) rather than
    /// walking to it. Filtered, the page's statement counts its matches itself (count(*) OVER ...): the search runs once,
    /// not twice; except for short terms, which match most of a company and count separately.
    /// </summary>
    private static PageSql PageStatements(SqlDialect dialect, PageWindow window, Filter filter, bool unfiltered, bool shortTerm,
        bool cachedTotal)
    {
        var (start, pageIds) = !unfiltered && !shortTerm
            // The window is ordered like the page, so that SQLite does not sort every match again for the ORDER BY.
            ? ("", $"""
                   SELECT c.id, count(*) OVER (ORDER BY c.id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS total
                   FROM contact c WHERE {filter.Sql} ORDER BY c.id LIMIT @limit OFFSET @offset
                   """)
            : shortTerm
            ? ("", $"SELECT c.id, CAST(0 AS bigint) AS total FROM contact c WHERE {filter.Sql} ORDER BY c.id LIMIT @limit OFFSET @offset")
            : dialect.DeepPage(window.Offset)
              ?? ("", "SELECT c.id, CAST(0 AS bigint) AS total FROM contact c WHERE c.company_id = @company ORDER BY c.id LIMIT @limit OFFSET @offset");
        // The page's contacts and their tags in one statement (a contact with n tags is n rows, in id then tag order).
        return new PageSql(
            Count: unfiltered ? "SELECT coalesce((SELECT contacts FROM company_contact_count WHERE company_id = @company), 0)"
                : cachedTotal
                // Both subqueries run only when the CASE needs them: the count never on a hit ("never executed" in
                // PostgreSQL's EXPLAIN). The horizon is read in the same statement, hence the same snapshot, as the count.
                ? $"""
                  SELECT CASE WHEN @cached_since >= 0 AND NOT EXISTS
                                  (SELECT 1 FROM contact_change h WHERE h.company_id = @company AND h.change_seq >= @cached_since)
                              THEN @cached_total
                              ELSE (SELECT count(*) FROM contact c WHERE {filter.Sql}) END, {dialect.ChangeHorizon}
                  """
                : shortTerm ? $"SELECT count(*) FROM contact c WHERE {filter.Sql}" : null,
            Page: $"""
                {start}SELECT c.id, c.first_name, c.last_name, c.email, c.phone_number, c.phone_number_lid,
                       c.profile_picture, c.created_at, c.updated_at, t.id, t.name, t.color, p.total
                FROM ({pageIds}) p
                JOIN contact c ON c.id = p.id
                LEFT JOIN contact_tag ct ON ct.company_id = c.company_id AND ct.contact_id = c.id
                LEFT JOIN tag t ON t.company_id = ct.company_id AND t.id = ct.tag_id
                ORDER BY c.id, t.id
                """,
            CountAll: $"SELECT count(*) FROM contact c WHERE {filter.Sql}");
    }
}
