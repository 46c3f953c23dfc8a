using System.Text.Json.Nodes;
using Contacts.Api.Binding;
using Contacts.Auth;
using Contacts.Contracts;
using Contacts.Data;
using Contacts.Data.Changes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Contacts.Api;

/// <summary>GET /api/v1/contacts/changes: the change feed (docs/sync.md).</summary>
public static class ChangesApi
{
    public static RouteHandlerBuilder MapChanges(this RouteGroupBuilder group) =>
        group.MapGet("/changes", ListChanges).WithName("ListContactChanges").DescribeChanges();

    public static async Task<Results<JsonHttpResult<ChangesPage>, StatusCodeHttpResult, ValidationProblem, ProblemHttpResult>> ListChanges(
        ChangesQuery query, HttpContext http, ContactsDatabase db, CancellationToken ct)
    {
        var company = http.User.CompanyId();
        var conditional = ConditionalGet.For(http, company, query.Canonical);
        if (await conditional.UnchangedAsync(db, ct)) return ConditionalGet.NotModified;
        var read = await ChangeFeedQueries.ReadAsync(db, company, query.Cursor?.Position, query.Limit, ct);
        if (read.Page is not { } page) return Problems.CursorExpired();
        return conditional.Unchanged(read.Stamp) ? ConditionalGet.NotModified
            : TypedResults.Json(new ChangesPage(page.Changes, new ChangeCursor(company, page.Next).Encode(), page.HasMore), ContactsJsonContext.Wire.ChangesPage);
    }

    private static RouteHandlerBuilder DescribeChanges(this RouteHandlerBuilder endpoint) => endpoint
        .WithSummary("List contact changes")
        .WithDescription("The change feed for keeping a copy of the company's contacts. Without `cursor`: every live contact " +
                         "once, as upserts; then, with the `next_cursor` of each answer, what changed since, deletions included. " +
                         "Apply the items in order (upsert by id, delete by id) and store `next_cursor`; ask again at once while " +
                         "`has_more` is true. A cursor never skips a committed change. `410` means the cursor is older than the " +
                         "kept history, or from before a failover or restore: start again without one.")
        .WithTags("Contacts")
        .Produces<ChangesPage>(StatusCodes.Status200OK)
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status405MethodNotAllowed)
        .ProducesProblem(StatusCodes.Status410Gone)
        .ProducesProblem(StatusCodes.Status429TooManyRequests)
        .ProducesProblem(StatusCodes.Status500InternalServerError)
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
        .AddOpenApiOperationTransformer((operation, context, _) =>
        {
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ContactsOpenApi.SecurityScheme, context.Document)] = [] }];
            foreach (var (status, response) in operation.Responses ?? [])
            {
                if (response is not OpenApiResponse described) continue;
                described.Description = status switch
                {
                    "200" => "A page of changes, the cursor to store, and whether more are ready now.",
                    "400" => "`limit` is out of range, or `cursor` is malformed or was issued to another company; start again without a cursor.",
                    "410" => "The cursor is older than the kept history (`Sync:HistoryDays`), or from another history of the database (a failover or a restore): start again without a cursor.",
                    _ => described.Description,
                };
            }
            return Task.CompletedTask;
        });

    /// <summary>
    /// The item schema as a discriminated oneOf (the generator writes anyOf for a polymorphic type): exactly one of the
    /// two shapes, chosen by <c>type</c>, with every key required.
    /// </summary>
    internal static Task DescribeChangeSchemas(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken ct)
    {
        if (context.JsonPropertyInfo is not null) return Task.CompletedTask;
        var type = context.JsonTypeInfo.Type;
        if (type == typeof(ContactChange) && schema.AnyOf is { Count: > 0 } shapes)
        {
            schema.OneOf = shapes;
            schema.AnyOf = null;
        }
        if ((type == typeof(ContactChange) || type == typeof(ContactUpsert) || type == typeof(ContactDelete) || type == typeof(ChangesPage))
            && schema.Properties is { Count: > 0 } properties)
            schema.Required = new HashSet<string>(properties.Keys, StringComparer.Ordinal);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Points the item's discriminator mapping at the shapes' schemas as the document names them (the generator maps to
    /// ids it never writes, which linters and client generators refuse), and requires <c>type</c> in each shape so that
    /// the two are mutually exclusive and a strict client narrows on it; types the deletion's id and time.
    /// </summary>
    internal static Task DescribeChangeShapes(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken ct)
    {
        if (document.Components?.Schemas is not { } schemas || !schemas.TryGetValue(nameof(ContactChange), out var item) ||
            item is not OpenApiSchema { Discriminator: { } discriminator, OneOf: { } shapes }) return Task.CompletedTask;
        var mapping = new Dictionary<string, OpenApiSchemaReference>(StringComparer.Ordinal);
        foreach (var shape in shapes.OfType<OpenApiSchemaReference>())
        {
            if (shape.Reference.Id is not { } id || !schemas.TryGetValue(id, out var target) || target is not OpenApiSchema concrete) continue;
            if (concrete.Properties?.TryGetValue(discriminator.PropertyName!, out var property) != true ||
                property?.Enum is not [JsonValue value]) continue;
            mapping[value.GetValue<string>()] = new OpenApiSchemaReference(id, document);
            concrete.Type = JsonSchemaType.Object;
            concrete.Required ??= new HashSet<string>(StringComparer.Ordinal);
            concrete.Required.Add(discriminator.PropertyName!);
        }
        discriminator.Mapping = mapping;
        // Here, on the schemas the document holds: set in the schema transformer, these never reached the written document
        // (deleted_at came out untyped, so a generated client saw `unknown`).
        if (schemas.TryGetValue(nameof(ContactDelete), out var deleteShape) && deleteShape is OpenApiSchema { Properties: { } delete })
        {
            if (delete.TryGetValue("id", out var id) && id is OpenApiSchema contactId)
            {
                contactId.Type = JsonSchemaType.String;
                contactId.Pattern = IdsAttribute.IdPattern;
            }
            if (delete.TryGetValue("deleted_at", out var at) && at is OpenApiSchema deletedAt)
            {
                deletedAt.Type = JsonSchemaType.String;
                deletedAt.Format = "date-time";
                deletedAt.Pattern = @"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$";
                deletedAt.Description = "When the database recorded the deletion; UTC, always with three fractional digits.";
            }
        }
        return Task.CompletedTask;
    }
}
