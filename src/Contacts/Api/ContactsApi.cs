using System.Data.Common;
using System.Globalization;
using Contacts.Auth;
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
        return group;
    }

    public static async Task<Results<JsonHttpResult<Page<ContactResponse>>, ValidationProblem>> ListContacts(
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
        if (query.Search is { } term)
        {
            // A contact matches on its folded names/email/phones, any of its tags' names, or (for phone-like terms) phone digits.
            var pattern = db.FoldedParameter("@pattern");
            var byTag = $"""
                SELECT ct.contact_id FROM contact_tag ct
                                  JOIN tag t ON t.company_id = ct.company_id AND t.id = ct.tag_id
                                  WHERE ct.company_id = @company AND t.name_folded LIKE {pattern} ESCAPE '\'
                """;
            var phoneLike = SearchText.IsPhoneLike(term);
            filter.Parameters["@pattern"] = db.PatternValue(SearchText.EscapeLike(term));
            if (phoneLike) filter.Parameters["@digits"] = SearchText.ContainsPattern(SearchText.Digits(term));
            if (UsesTrigramIndexes(db, term, phoneLike))
            {
                // A UNION of index lookups, collected first (ARRAY) and then fetched by id: an OR with a subquery, or even
                // IN (UNION ...), lets PostgreSQL read every contact of the company instead.
                filter.Sql += $"""
                     AND c.id = ANY(ARRAY(SELECT s.id FROM contact s WHERE s.company_id = @company AND s.search_text LIKE {pattern} ESCAPE '\'
                                  UNION {byTag}{(phoneLike ? " UNION SELECT s.id FROM contact s WHERE s.company_id = @company AND s.phone_digits LIKE @digits" : "")}))
                    """;
            }
            else
            {
                // Too short for trigrams (or SQLite): one pass over the company's contacts beats collecting most of their ids.
                filter.Sql += $" AND (c.search_text LIKE {pattern} ESCAPE '\\' OR c.id IN ({byTag})" +
                              (phoneLike ? " OR c.phone_digits LIKE @digits" : "") + ")";
            }
        }

        // Unfiltered, the total is the counter the database keeps (migration 0002) rather than a count(*) of the company.
        var unfiltered = sync.UpdatedSince is null && sync.TagIds.Count == 0 && query.Search is null;
        var countSql = unfiltered ? "SELECT coalesce((SELECT contacts FROM company_contact_count WHERE company_id = @company), 0)" : null;
        await using var connection = await db.OpenAsync(company, ct);
        var (total, contacts) = await PageAsync(db, connection, query, "contact c", filter, """
            SELECT c.id, c.first_name, c.last_name, c.email, c.phone_number, c.phone_number_lid,
                   c.profile_picture, c.created_at, c.updated_at
            """, "c.id", reader => new ContactResponse(Id(reader, 0),
                ContactsDatabase.ReadNullableString(reader, 1), ContactsDatabase.ReadNullableString(reader, 2),
                ContactsDatabase.ReadNullableString(reader, 3), ContactsDatabase.ReadNullableString(reader, 4),
                ContactsDatabase.ReadNullableString(reader, 5), ContactsDatabase.ReadNullableString(reader, 6),
                db.ReadTimestamp(reader, 7), db.ReadTimestamp(reader, 8), []), ct, countSql);

        var tags = await TagsOfAsync(db, connection, company, contacts, ct);
        var rows = contacts.Select(c => tags.TryGetValue(c.Id, out var list) ? c with { Tags = list } : c).ToList();
        LinkHeader.Add(http, query, query.TotalPages(total));
        return TypedResults.Json(new Page<ContactResponse>(rows, query.Page, query.TotalPages(total), total),
            WireJsonContext.Wire.PageContactResponse);
    }

    public static async Task<Results<JsonHttpResult<Page<TagResponse>>, ValidationProblem>> ListTags(
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

        await using var connection = await db.OpenAsync(company, ct);
        var (total, rows) = await PageAsync(db, connection, query, "tag t", filter, """
            SELECT t.id, t.name, t.color, t.created_at,
                   coalesce((SELECT tc.contacts FROM tag_contact_count tc WHERE tc.tag_id = t.id), 0)
            """, "t.id", reader => new TagResponse(Id(reader, 0), reader.GetString(1), ContactsDatabase.ReadNullableString(reader, 2),
                db.ReadTimestamp(reader, 3), new TagCount(reader.GetInt64(4))), ct);
        LinkHeader.Add(http, query, query.TotalPages(total));
        return TypedResults.Json(new Page<TagResponse>(rows, query.Page, query.TotalPages(total), total),
            WireJsonContext.Wire.PageTagResponse);
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

    /// <summary>Two statements: the exact count (countSql, or a count(*) of the filter), then (unless the page is past the end) the page's rows in id order.</summary>
    private static async Task<(long Total, List<T> Rows)> PageAsync<T>(ContactsDatabase db, DbConnection connection,
        PageQuery query, string from, Filter filter, string select, string orderBy, Func<DbDataReader, T> read, CancellationToken ct,
        string? countSql = null)
    {
        long total;
        await using (var count = db.Command(connection, countSql ?? $"SELECT count(*) FROM {from} WHERE {filter.Sql}"))
        {
            filter.Bind(count);
            total = Convert.ToInt64(await count.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
        }
        var rows = new List<T>(query.Limit);
        if (query.Offset >= total) return (total, rows);

        // Deferred join: the offset is walked over ids alone (an index-only scan of (company_id, id) when unfiltered),
        // and only the page's own rows are read in full. A deep page then costs index entries, not heap rows.
        await using var page = db.Command(connection, $"""
            {select} FROM {from} WHERE {orderBy} IN
                (SELECT {orderBy} FROM {from} WHERE {filter.Sql} ORDER BY {orderBy} LIMIT @limit OFFSET @offset)
            ORDER BY {orderBy}
            """);
        filter.Bind(page);
        ContactsDatabase.AddParameter(page, "@limit", query.Limit);
        ContactsDatabase.AddParameter(page, "@offset", query.Offset);
        await using var reader = await page.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) rows.Add(read(reader));
        return (total, rows);
    }

    /// <summary>The tags of one page of contacts in one statement, ordered by tag id.</summary>
    private static async Task<Dictionary<string, List<ContactTagResponse>>> TagsOfAsync(
        ContactsDatabase db, DbConnection connection, long company, List<ContactResponse> contacts, CancellationToken ct)
    {
        var result = new Dictionary<string, List<ContactTagResponse>>(StringComparer.Ordinal);
        if (contacts.Count == 0) return result;
        await using var command = db.Command(connection, "");
        ContactsDatabase.AddParameter(command, "@company", company);
        var ids = contacts.Select(c => long.Parse(c.Id, CultureInfo.InvariantCulture)).ToList();
        command.CommandText = $"""
            SELECT ct.contact_id, t.id, t.name, t.color
            FROM contact_tag ct JOIN tag t ON t.company_id = ct.company_id AND t.id = ct.tag_id
            WHERE ct.company_id = @company AND {db.AnyOf(command, "ct.contact_id", "ids", ids)}
            ORDER BY ct.contact_id, t.id
            """;
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var contactId = Id(reader, 0);
            if (!result.TryGetValue(contactId, out var list)) result[contactId] = list = [];
            list.Add(new ContactTagResponse(Id(reader, 1), reader.GetString(2), ContactsDatabase.ReadNullableString(reader, 3)));
        }
        return result;
    }

    /// <summary>pg_trgm indexes serve LIKE '%term%' only from three characters on (digits too, for the phone index).</summary>
    private static bool UsesTrigramIndexes(ContactsDatabase db, string term, bool phoneLike) =>
        db.IsPostgres && SearchText.Fold(term).Length >= 3 && (!phoneLike || SearchText.Digits(term).Length >= 3);

    private static string Id(DbDataReader reader, int ordinal) => reader.GetInt64(ordinal).ToString(CultureInfo.InvariantCulture);
}
