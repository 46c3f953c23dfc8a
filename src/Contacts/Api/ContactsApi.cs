using Contacts.Auth;
using Contacts.Contracts;
using Contacts.Data;
using Contacts.Data.Contacts;
using Contacts.Data.Tags;
using Contacts.Fairness;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Contacts.Api;

/// <summary>GET /api/v1/contacts, /api/v1/contacts/{id} and /api/v1/contacts/tags. Every query filters on the caller's company.</summary>
public static class ContactsApi
{
    public static RouteGroupBuilder MapContacts(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/contacts").RequireAuthorization().RequirePerKeyRateLimit().RequireDatabaseShare();
        group.MapGet("", ListContacts).WithName("ListContacts").DescribeListContacts();
        group.MapGet("/tags", ListTags).WithName("ListContactTags").DescribeListTags();
        group.MapChanges();
        // Routing prefers the literal /tags and /changes to {id}, whatever order they are mapped in.
        group.MapGet(ContactRoute.Template, GetContact).WithName("GetContact").DescribeGetContact();
        return group;
    }

    public static async Task<Results<JsonHttpResult<Page<Contact>>, StatusCodeHttpResult, ValidationProblem>> ListContacts(
        PageQuery query, ContactFilters sync, HttpContext http, ContactsDatabase db, CancellationToken ct)
    {
        var company = http.User.CompanyId();
        var conditional = ConditionalGet.For(http, company, query.Canonical + "&" + sync.Canonical);
        if (await conditional.UnchangedAsync(db, ct)) return ConditionalGet.NotModified;
        var page = await ContactQueries.ListAsync(db, company, query.Window, new ContactFilter(query.Search, sync.UpdatedSince, sync.TagIds), ct);
        if (conditional.Unchanged(page.Stamp)) return ConditionalGet.NotModified;

        LinkHeader.Add(http, query, query.TotalPages(page.Total));
        return TypedResults.Json(new Page<Contact>(page.Rows, query.Page, query.TotalPages(page.Total), page.Total),
            ContactsJsonContext.Wire.PageContact);
    }

    public static async Task<Results<JsonHttpResult<Contact>, StatusCodeHttpResult, ProblemHttpResult, ValidationProblem>> GetContact(
        ContactRoute route, HttpContext http, ContactsDatabase db, CancellationToken ct)
    {
        var company = http.User.CompanyId();
        var conditional = ConditionalGet.For(http, company, route.Canonical);
        if (await conditional.UnchangedAsync(db, ct)) return ConditionalGet.NotModified;
        var (contact, stamp) = await ContactQueries.FindAsync(db, company, route.Id, ct);

        if (contact is null) return Problems.ContactNotFound();
        return conditional.Unchanged(stamp) ? ConditionalGet.NotModified : TypedResults.Json(contact, ContactsJsonContext.Wire.Contact);
    }

    public static async Task<Results<JsonHttpResult<Page<Tag>>, StatusCodeHttpResult, ValidationProblem>> ListTags(
        PageQuery query, HttpContext http, ContactsDatabase db, CancellationToken ct)
    {
        var company = http.User.CompanyId();
        var conditional = ConditionalGet.For(http, company, query.Canonical);
        if (await conditional.UnchangedAsync(db, ct)) return ConditionalGet.NotModified;
        var page = await TagQueries.ListAsync(db, company, query.Window, query.Search, ct);
        if (conditional.Unchanged(page.Stamp)) return ConditionalGet.NotModified;

        LinkHeader.Add(http, query, query.TotalPages(page.Total));
        return TypedResults.Json(new Page<Tag>(page.Rows, query.Page, query.TotalPages(page.Total), page.Total),
            ContactsJsonContext.Wire.PageTag);
    }
}
