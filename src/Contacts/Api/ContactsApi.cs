using System.Data.Common;
using System.Globalization;
using Contacts.Auth;
using Contacts.Contracts;
using Contacts.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Contacts.Api;

/// <summary>GET /api/v1/contacts and GET /api/v1/contacts/tags. Every query filters on the caller's company.</summary>
public static class ContactsApi
{
    public static RouteGroupBuilder MapContacts(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/contacts").RequireAuthorization();
        group.MapGet("", ListContacts).WithName("ListContacts").DescribeListContacts();
        group.MapGet("/tags", ListTags).WithName("ListContactTags").DescribeListTags();
        group.MapChanges();
        return group;
    }

    public static async Task<Results<JsonHttpResult<Page<Contact>>, ValidationProblem>> ListContacts(
        HttpContext http, ContactsDatabase db, IOptions<ApiOptions> options, CancellationToken ct)
    {
        var query = PageQuery.Parse(http.Request.Query, options.Value.MaxLimit, out var errors);
        var sync = ContactFilters.Parse(http.Request.Query, errors);
        if (errors.Count > 0) return Problems.InvalidQuery(errors);
        var company = http.User.CompanyId();

        var filter = new Filter("c.company_id = @company", company);
        if (sync.UpdatedSince is { } since)
        {
            filter.Sql += " AND c.updated_at >= @updated_since";
            filter.Parameters["@updated_since"] = db.TimestampValue(since);
        }
        if (sync.TagIds.Count > 0)
        {
            filter.Sql += " AND c.id IN (SELECT ct.contact_id FROM contact_tag ct WHERE ct.company_id = @company AND ct.tag_id IN (" +
                          string.Join(", ", sync.TagIds.Select((_, i) => $"@tag{i}")) + "))";
            for (var i = 0; i < sync.TagIds.Count; i++) filter.Parameters[$"@tag{i}"] = sync.TagIds[i];
        }
        // A term of one or two characters matches most of a company: no index narrows it, and the page is found after a
        // few rows in id order, so the count and the page are two statements (ContactPageSql) rather than a window count.
        var folded = query.Search is { } searched ? SearchText.Fold(searched) : null;
        var shortTerm = folded is { Length: < 3 };
        if (query.Search is { } term) AddSearch(db, filter, term, folded!);

        var unfiltered = sync.UpdatedSince is null && sync.TagIds.Count == 0 && query.Search is null;
        var sql = ContactPageSql(db, query, filter, unfiltered, shortTerm);

        var rows = new List<Contact>(query.Limit);
        List<ContactTag>? tags = null;
        var total = await PageAsync(db, company, query, filter, sql, customPlans: !unfiltered, reader =>
        {
            var id = Id(reader, 0);
            if (rows.Count == 0 || rows[^1].Id != id)
            {
                rows.Add(new Contact(id,
                    ContactsDatabase.ReadNullableString(reader, 1), ContactsDatabase.ReadNullableString(reader, 2),
                    ContactsDatabase.ReadNullableString(reader, 3), ContactsDatabase.ReadNullableString(reader, 4),
                    ContactsDatabase.ReadNullableString(reader, 5), ContactsDatabase.ReadNullableString(reader, 6),
                    Utc(db.ReadTimestamp(reader, 7)), Utc(db.ReadTimestamp(reader, 8)), tags = []));
            }
            if (!reader.IsDBNull(9)) tags!.Add(new ContactTag(Id(reader, 9), reader.GetString(10), ContactsDatabase.ReadNullableString(reader, 11)));
            return reader.GetInt64(12);
        }, ct);

        LinkHeader.Add(http, query, query.TotalPages(total));
        return TypedResults.Json(new Page<Contact>(rows, query.Page, query.TotalPages(total), total),
            ContactsJsonContext.Wire.PageContact);
    }

    /// <summary>Narrows the filter to contacts matching a search term; the SQL depends on the term and the database.</summary>
    private static void AddSearch(ContactsDatabase db, Filter filter, string term, string folded)
    {
        // A contact matches on its folded names/email/phones, any of its tags' names, or (for phone-like terms) phone digits.
        var pattern = db.FoldedParameter("@pattern");
        var byTag = $"""
            SELECT ct.contact_id FROM contact_tag ct
                              JOIN tag t ON t.company_id = ct.company_id AND t.id = ct.tag_id
                              WHERE ct.company_id = @company AND t.name_folded LIKE {pattern} ESCAPE '\'
            """;
        var phoneLike = SearchText.IsPhoneLike(term);
        var byPhone = phoneLike ? " OR c.phone_digits LIKE @digits" : "";
        filter.Parameters["@pattern"] = db.PatternValue(SearchText.EscapeLike(term));
        if (phoneLike) filter.Parameters["@digits"] = SearchText.ContainsPattern(SearchText.Digits(term));
        // Trigram indexes (pg_trgm, SQLite's FTS5) serve LIKE '%term%' from three characters on (digits too, for phones).
        var trigrams = folded.Length >= 3 && (!phoneLike || SearchText.Digits(term).Length >= 3);
        if (folded.Length < 3)
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
        }
        else if (trigrams && db.IsPostgres)
        {
            // A UNION of index lookups, collected first (ARRAY) and then fetched by id: an OR with a subquery, or even
            // IN (UNION ...), lets PostgreSQL read every contact of the company instead.
            filter.Sql += $"""
                 AND c.id = ANY(ARRAY(SELECT s.id FROM contact s WHERE s.company_id = @company AND s.search_text LIKE {pattern} ESCAPE '\'
                              UNION {byTag}{(phoneLike ? " UNION SELECT s.id FROM contact s WHERE s.company_id = @company AND s.phone_digits LIKE @digits" : "")}))
                """;
        }
        else if (trigrams && !db.IsPostgres && folded.IndexOfAny(['%', '_', '\\']) < 0)
        {
            // SQLite: candidates from the FTS5 trigram index (migration 0004; all companies, no ESCAPE there, so only
            // for terms without LIKE metacharacters), each rechecked against its contact row and company.
            filter.Sql += $"""
                 AND c.id IN (SELECT s.id FROM contact s WHERE s.id IN (SELECT rowid FROM contact_search WHERE search_text LIKE @pattern)
                                  AND s.company_id = @company AND s.search_text LIKE @pattern ESCAPE '\'
                              UNION {byTag}{(phoneLike ? """
                               UNION SELECT s.id FROM contact s WHERE s.id IN (SELECT rowid FROM contact_search WHERE phone_digits LIKE @digits)
                                  AND s.company_id = @company AND s.phone_digits LIKE @digits
                              """ : "")})
                """;
        }
        else
        {
            // The rest (SQLite terms with LIKE metacharacters; phone-like terms of fewer than three digits): one pass over
            // the company's contacts (on SQLite in 0003's covering index).
            filter.Sql += $" AND (c.search_text LIKE {pattern} ESCAPE '\\' OR c.id IN ({byTag}){byPhone})";
        }
    }

    /// <summary>
    /// The contacts page's statements. Unfiltered, the total is the counter the database keeps (migration 0002) rather
    /// than a count(*) of the company, and a deep page starts from the id block that holds its offset (migration 0004)
    /// rather than walking to it. Filtered, the page's statement counts its matches itself (count(*) OVER ...): the search
    /// runs once, not twice; except for short terms, which match most of a company and count separately.
    /// </summary>
    private static PageSql ContactPageSql(ContactsDatabase db, PageQuery query, Filter filter, bool unfiltered, bool shortTerm)
    {
        var (start, pageIds) = !unfiltered && !shortTerm
            // The window is ordered like the page, so that SQLite does not sort every match again for the ORDER BY.
            ? ("", $"""
                   SELECT c.id, count(*) OVER (ORDER BY c.id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS total
                   FROM contact c WHERE {filter.Sql} ORDER BY c.id LIMIT @limit OFFSET @offset
                   """)
            : shortTerm
            ? ("", $"SELECT c.id, CAST(0 AS bigint) AS total FROM contact c WHERE {filter.Sql} ORDER BY c.id LIMIT @limit OFFSET @offset")
            : db.IsPostgres && query.Offset >= BlockPagingFromOffset
            ? ("""
               WITH start AS (SELECT block, before FROM
                   (SELECT block, contacts, (sum(contacts) OVER (ORDER BY block))::bigint - contacts AS before
                    FROM contact_block_count WHERE company_id = @company) b
                   WHERE before + contacts > @offset ORDER BY block LIMIT 1)

               """,
               """
               SELECT c.id, CAST(0 AS bigint) AS total FROM contact c WHERE c.company_id = @company AND c.id >= (SELECT block * 1024 FROM start)
               ORDER BY c.id LIMIT @limit OFFSET (SELECT @offset - before FROM start)
               """)
            : ("", "SELECT c.id, CAST(0 AS bigint) AS total FROM contact c WHERE c.company_id = @company ORDER BY c.id LIMIT @limit OFFSET @offset");
        // The page's contacts and their tags in one statement (a contact with n tags is n rows, in id then tag order).
        return new PageSql(
            Count: unfiltered ? "SELECT coalesce((SELECT contacts FROM company_contact_count WHERE company_id = @company), 0)"
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

    public static async Task<Results<JsonHttpResult<Page<Tag>>, ValidationProblem>> ListTags(
        HttpContext http, ContactsDatabase db, IOptions<ApiOptions> options, CancellationToken ct)
    {
        var query = PageQuery.Parse(http.Request.Query, options.Value.MaxLimit, out var errors);
        if (errors.Count > 0) return Problems.InvalidQuery(errors);
        var company = http.User.CompanyId();

        var filter = new Filter("t.company_id = @company", company);
        if (query.Search is { } term)
        {
            filter.Sql += $" AND t.name_folded LIKE {db.FoldedParameter("@pattern")} ESCAPE '\\'";
            filter.Parameters["@pattern"] = db.PatternValue(SearchText.EscapeLike(term));
        }

        var rows = new List<Tag>(query.Limit);
        var countAll = $"SELECT count(*) FROM tag t WHERE {filter.Sql}";
        var total = await PageAsync(db, company, query, filter, new PageSql(countAll, $"""
            SELECT t.id, t.name, t.color, t.created_at,
                   coalesce((SELECT tc.contacts FROM tag_contact_count tc WHERE tc.tag_id = t.id), 0)
            FROM tag t WHERE t.id IN (SELECT t.id FROM tag t WHERE {filter.Sql} ORDER BY t.id LIMIT @limit OFFSET @offset)
            ORDER BY t.id
            """, countAll), customPlans: query.Search is not null, reader =>
        {
            rows.Add(new Tag(Id(reader, 0), reader.GetString(1), ContactsDatabase.ReadNullableString(reader, 2),
                Utc(db.ReadTimestamp(reader, 3)), new TagCount(reader.GetInt64(4))));
            return 0;
        }, ct);
        LinkHeader.Add(http, query, query.TotalPages(total));
        return TypedResults.Json(new Page<Tag>(rows, query.Page, query.TotalPages(total), total),
            ContactsJsonContext.Wire.PageTag);
    }

    /// <summary>A WHERE clause and its parameter values; it always starts with the tenant filter.</summary>
    private sealed class Filter(string tenantCondition, long company)
    {
        public string Sql { get; set; } = tenantCondition;
        public Dictionary<string, object> Parameters { get; } = new() { ["@company"] = company };

        public void Bind(DbCommand command)
        {
            foreach (var (name, value) in Parameters) ContactsDatabase.AddParameter(command, name, value);
        }
    }

    /// <summary>
    /// The statements of one page. Count: the exact total, when it is known without counting the rows (the counters);
    /// null when Page carries it instead, in every row (count(*) OVER ()), so that a search runs once for both. Page: the
    /// page's rows (binds @limit and @offset), walking the offset over ids alone (an index-only scan of (company_id, id)
    /// when unfiltered) and reading only the page's own rows in full, so a deep page costs index entries, not heap rows.
    /// CountAll: count(*) of the filter, for the one case Page cannot tell: a filtered page past the end.
    /// </summary>
    private sealed record PageSql(string? Count, string Page, string CountAll);

    /// <summary>
    /// One round trip, one command: the company setting for row-level security (PostgreSQL), the total and the page.
    /// read sees each page row and returns the row's total (used when sql.Count is null). Returns the total.
    /// </summary>
    private static async Task<long> PageAsync(ContactsDatabase db, long company, PageQuery query, Filter filter,
        PageSql sql, bool customPlans, Func<DbDataReader, long> read, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        long? total = null;
        await using (var command = db.CompanyCommand(connection, company, sql.Count is null ? sql.Page : sql.Count + ";\n" + sql.Page, customPlans))
        {
            filter.Bind(command);
            ContactsDatabase.AddParameter(command, "@limit", query.Limit);
            ContactsDatabase.AddParameter(command, "@offset", query.Offset);
            await using var reader = await db.ExecuteForCompanyAsync(command, ct);
            if (sql.Count is not null)
            {
                await reader.ReadAsync(ct);
                total = Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture);
                await reader.NextResultAsync(ct);
            }
            while (await reader.ReadAsync(ct))
            {
                var rowTotal = read(reader);
                total ??= rowTotal;
            }
        }
        if (total is { } known) return known;
        if (query.Offset == 0) return 0;

        await using var count = db.CompanyCommand(connection, company, sql.CountAll, customPlans);
        filter.Bind(count);
        await using var countReader = await db.ExecuteForCompanyAsync(count, ct);
        await countReader.ReadAsync(ct);
        return Convert.ToInt64(countReader.GetValue(0), CultureInfo.InvariantCulture);
    }

    /// <summary>From this offset on, an unfiltered PostgreSQL page starts from contact_block_count (below it, walking the index is as cheap).</summary>
    internal const int BlockPagingFromOffset = 2048;

    private static DateTimeOffset Utc(DateTime utc) => new(utc, TimeSpan.Zero);

    private static string Id(DbDataReader reader, int ordinal) => reader.GetInt64(ordinal).ToString(CultureInfo.InvariantCulture);
}
