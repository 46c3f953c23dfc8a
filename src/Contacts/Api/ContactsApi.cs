using System.Data.Common;
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
        group.MapGet("", ListContacts).WithName("ListContacts");
        group.MapGet("/tags", ListTags).WithName("ListContactTags");
        return group;
    }

    private static string TagFilter(string pattern) =>
        "SELECT ct.contact_id FROM contact_tag ct JOIN tag t ON t.company_id = ct.company_id AND t.id = ct.tag_id " +
        $"WHERE ct.company_id = @company AND t.name_folded LIKE {pattern} ESCAPE '\\'";

    public static async Task<Results<JsonHttpResult<Page<ContactResponse>>, ValidationProblem>> ListContacts(
        HttpContext http, ContactsDatabase db, IOptions<ApiOptions> options, CancellationToken ct)
    {
        var query = PageQuery.Parse(http.Request.Query, options.Value.MaxLimit, out var errors);
        if (errors.Count > 0) return Problems.InvalidQuery(errors);
        var company = http.User.CompanyId();

        await using var connection = await db.OpenAsync(ct);
        await using var count = db.Command(connection, "");
        await using var page = db.Command(connection, "");
        var filter = "";
        foreach (var command in new[] { count, page })
        {
            ContactsDatabase.AddParameter(command, "@company", company);
            if (query.Search is { } term)
            {
                var pattern = db.FoldedParameter("@pattern");
                filter = $" AND (c.search_text LIKE {pattern} ESCAPE '\\' OR c.id IN ({TagFilter(pattern)})";
                ContactsDatabase.AddParameter(command, "@pattern", db.PatternValue(SearchText.EscapeLike(term)));
                if (SearchText.IsPhoneLike(term))
                {
                    filter += " OR c.phone_digits LIKE @digits";
                    ContactsDatabase.AddParameter(command, "@digits", SearchText.ContainsPattern(SearchText.Digits(term)));
                }
                filter += ")";
            }
        }
        count.CommandText = $"SELECT count(*) FROM contact c WHERE c.company_id = @company{filter}";
        var total = Convert.ToInt64(await count.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);

        var rows = new List<ContactResponse>(query.Limit);
        var ids = new List<long>(query.Limit);
        if (query.Offset < total)
        {
            page.CommandText = $"""
                SELECT c.id, c.first_name, c.last_name, c.email, c.phone_number, c.phone_number_lid,
                       c.profile_picture, c.created_at, c.updated_at
                FROM contact c
                WHERE c.company_id = @company{filter}
                ORDER BY c.id
                LIMIT @limit OFFSET @offset
                """;
            ContactsDatabase.AddParameter(page, "@limit", query.Limit);
            ContactsDatabase.AddParameter(page, "@offset", query.Offset);
            var raw = new List<(long Id, ContactResponse Contact)>(query.Limit);
            await using (var reader = await page.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    var id = reader.GetInt64(0);
                    ids.Add(id);
                    raw.Add((id, new ContactResponse(id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        ContactsDatabase.ReadNullableString(reader, 1), ContactsDatabase.ReadNullableString(reader, 2),
                        ContactsDatabase.ReadNullableString(reader, 3), ContactsDatabase.ReadNullableString(reader, 4),
                        ContactsDatabase.ReadNullableString(reader, 5), ContactsDatabase.ReadNullableString(reader, 6),
                        db.ReadTimestamp(reader, 7), db.ReadTimestamp(reader, 8), [])));
                }
            }
            var tags = await TagsOfAsync(db, connection, company, ids, ct);
            foreach (var (id, contact) in raw)
            {
                rows.Add(tags.TryGetValue(id, out var list) ? contact with { Tags = list } : contact);
            }
        }
        return TypedResults.Json(new Page<ContactResponse>(rows, query.Page, query.TotalPages(total), total),
            WireJsonContext.Wire.PageContactResponse);
    }

    /// <summary>The tags of one page of contacts in one query, ordered by tag id.</summary>
    private static async Task<Dictionary<long, List<ContactTagResponse>>> TagsOfAsync(
        ContactsDatabase db, DbConnection connection, long company, List<long> contactIds, CancellationToken ct)
    {
        var result = new Dictionary<long, List<ContactTagResponse>>();
        if (contactIds.Count == 0) return result;
        await using var command = db.Command(connection, "");
        ContactsDatabase.AddParameter(command, "@company", company);
        command.CommandText = $"""
            SELECT ct.contact_id, t.id, t.name, t.color
            FROM contact_tag ct JOIN tag t ON t.company_id = ct.company_id AND t.id = ct.tag_id
            WHERE ct.company_id = @company AND ct.contact_id IN {ContactsDatabase.InList(command, "c", contactIds)}
            ORDER BY ct.contact_id, t.id
            """;
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var contactId = reader.GetInt64(0);
            if (!result.TryGetValue(contactId, out var list)) result[contactId] = list = [];
            list.Add(new ContactTagResponse(reader.GetInt64(1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                reader.GetString(2), ContactsDatabase.ReadNullableString(reader, 3)));
        }
        return result;
    }

    public static async Task<Results<JsonHttpResult<Page<TagResponse>>, ValidationProblem>> ListTags(
        HttpContext http, ContactsDatabase db, IOptions<ApiOptions> options, CancellationToken ct)
    {
        var query = PageQuery.Parse(http.Request.Query, options.Value.MaxLimit, out var errors);
        if (errors.Count > 0) return Problems.InvalidQuery(errors);
        var company = http.User.CompanyId();

        await using var connection = await db.OpenAsync(ct);
        await using var count = db.Command(connection, "");
        await using var page = db.Command(connection, "");
        var filter = "";
        foreach (var command in new[] { count, page })
        {
            ContactsDatabase.AddParameter(command, "@company", company);
            if (query.Search is { } term)
            {
                filter = $" AND t.name_folded LIKE {db.FoldedParameter("@pattern")} ESCAPE '\\'";
                ContactsDatabase.AddParameter(command, "@pattern", db.PatternValue(SearchText.EscapeLike(term)));
            }
        }
        count.CommandText = $"SELECT count(*) FROM tag t WHERE t.company_id = @company{filter}";
        var total = Convert.ToInt64(await count.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);

        var rows = new List<TagResponse>(query.Limit);
        if (query.Offset < total)
        {
            page.CommandText = $"""
                SELECT t.id, t.name, t.color, t.created_at,
                       (SELECT count(*) FROM contact_tag ct WHERE ct.tag_id = t.id AND ct.company_id = @company)
                FROM tag t
                WHERE t.company_id = @company{filter}
                ORDER BY t.id
                LIMIT @limit OFFSET @offset
                """;
            ContactsDatabase.AddParameter(page, "@limit", query.Limit);
            ContactsDatabase.AddParameter(page, "@offset", query.Offset);
            await using var reader = await page.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                rows.Add(new TagResponse(reader.GetInt64(0).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    reader.GetString(1), ContactsDatabase.ReadNullableString(reader, 2), db.ReadTimestamp(reader, 3),
                    new TagCount(reader.GetInt64(4))));
            }
        }
        return TypedResults.Json(new Page<TagResponse>(rows, query.Page, query.TotalPages(total), total),
            WireJsonContext.Wire.PageTagResponse);
    }
}
