using Contacts.Contracts;

namespace Contacts.Data.Tags;

/// <summary>GET /api/v1/contacts/tags: a company's tags with how many contacts carry each. Every statement filters on the company.</summary>
public static class TagQueries
{
    public static async Task<ListPage<Tag>> ListAsync(ContactsDatabase db, long company, PageWindow window, string? search,
        CancellationToken ct = default)
    {
        var filter = new Filter("t.company_id = @company", company);
        if (search is { } term)
        {
            filter.Sql += $" AND t.name_folded LIKE {db.Dialect.FoldedParameter("@pattern")} ESCAPE '\\'";
            filter.Parameters["@pattern"] = db.Dialect.PatternValue(SearchText.EscapeLike(term));
        }

        var rows = new List<Tag>(window.Limit);
        var countAll = $"SELECT count(*) FROM tag t WHERE {filter.Sql}";
        // The counts come from tag_contact_count (kept by triggers), not a count(*) per tag; read by company and tag because
        // SQLite keys it by both (migration 0007), so a row naming another company's tag id cannot move this count.
        var (total, stamp) = await PagedQuery.RunAsync(db, company, window, filter, new PageSql(countAll, $"""
            SELECT t.id, t.name, t.color, t.created_at,
                   coalesce((SELECT tc.contacts FROM tag_contact_count tc WHERE tc.company_id = t.company_id AND tc.tag_id = t.id), 0)
            FROM tag t WHERE t.id IN (SELECT t.id FROM tag t WHERE {filter.Sql} ORDER BY t.id LIMIT @limit OFFSET @offset)
            ORDER BY t.id
            """, countAll), customPlans: search is not null, reader =>
        {
            rows.Add(new Tag(PagedQuery.Id(reader, 0), reader.GetString(1), ContactsDatabase.ReadNullableString(reader, 2),
                PagedQuery.Utc(db.ReadTimestamp(reader, 3)), new TagCount(reader.GetInt64(4))));
            return 0;
        }, ct);
        return new ListPage<Tag>(rows, total, stamp);
    }
}
