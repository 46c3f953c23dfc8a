using System.Globalization;
using System.Text.Json.Nodes;
using Contacts.Api.Binding;
using Contacts.Auth;
using Contacts.Contracts;
using Contacts.Data;
using Contacts.Data.Changes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace Contacts.Api;

/// <summary>GET /api/v1/contacts/changes: the change feed (docs/sync.md).</summary>
public static class ChangesApi
{
    // On the base of every other problem type (ASP.NET Core's defaults for the statuses it knows).
    public const string CursorExpiredType = "https://tools.ietf.org/html/rfc9110#section-15.5.11";

    public static RouteHandlerBuilder MapChanges(this RouteGroupBuilder group) =>
        group.MapGet("/changes", ListChanges).WithName("ListContactChanges").DescribeChanges();

    public static async Task<Results<JsonHttpResult<ChangesPage>, StatusCodeHttpResult, ValidationProblem, ProblemHttpResult>> ListChanges(
        HttpContext http, ContactsDatabase db, IOptions<ApiOptions> options, CancellationToken ct)
    {
        var company = http.User.CompanyId();
        var query = ChangesQuery.Parse(http.Request.Query, company, options.Value.MaxLimit, out var errors);
        if (errors.Count > 0) return Problems.InvalidQuery(errors);
        var conditional = ConditionalGet.For(http, company, query.Canonical);
        if (await conditional.UnchangedAsync(db, ct)) return ConditionalGet.NotModified;
        var read = await ChangeFeedQueries.ReadAsync(db, company, query.Cursor?.Position, query.Limit, ct);
        if (read.Page is not { } page)
            return TypedResults.Problem(statusCode: StatusCodes.Status410Gone, title: "Cursor expired", type: CursorExpiredType,
                detail: "The cursor cannot continue: it is older than the change history this server keeps (Sync:HistoryDays), " +
                        "or the database has moved to another history since it was issued (a failover or a restore). " +
                        "Start again without a cursor: the feed then sends every contact once.");
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
            var maxLimit = context.ApplicationServices.GetRequiredService<IOptions<ApiOptions>>().Value.MaxLimit;
            operation.Parameters =
            [
                new OpenApiParameter
                {
                    Name = "cursor", In = ParameterLocation.Query, Required = false,
                    Description = "Opaque: the `next_cursor` of the previous answer, for the same API key's company. Leave it out to start from the beginning.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = "^[A-Za-z0-9_-]+$" },
                },
                new OpenApiParameter
                {
                    Name = "limit", In = ParameterLocation.Query, Required = false,
                    Description = $"Changes per answer, at most {maxLimit} (the `Api:MaxLimit` setting).",
                    Schema = new OpenApiSchema
                    {
                        Type = JsonSchemaType.Integer, Format = "int32", Minimum = "1",
                        Maximum = maxLimit.ToString(CultureInfo.InvariantCulture), Default = JsonValue.Create(ChangesQuery.DefaultLimit(maxLimit)),
                    },
                },
            ];
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
                contactId.Pattern = IdsParameter.IdPattern;
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

/// <summary>cursor and limit of the change feed; unknown parameters are ignored.</summary>
public sealed record ChangesQuery(ChangeCursor? Cursor, int Limit)
{
    public static int DefaultLimit(int maxLimit) => Math.Min(100, maxLimit);

    /// <summary>The cursor (re-encoded: a cursor of an earlier version reads the same) and limit as read: what an ETag depends on.</summary>
    public string Canonical => FormattableString.Invariant($"cursor={Cursor?.Encode()}&limit={Limit}");

    public static ChangesQuery Parse(IQueryCollection query, long company, int maxLimit, out Dictionary<string, string[]> errors)
    {
        errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var limit = DefaultLimit(maxLimit);
        if (query.TryGetValue("limit", out var limits))
        {
            if (limits.Count > 1 || !int.TryParse(limits[0], NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > maxLimit)
                errors["limit"] = [$"limit must be an integer between 1 and {maxLimit}, given at most once."];
        }
        ChangeCursor? cursor = null;
        // An empty cursor is refused rather than read as "from the beginning": a client that lost its cursor must
        // reconcile its copy (the fresh walk sends no deletions), so it should know.
        if (query.TryGetValue("cursor", out var cursors) && (cursors.Count > 1 || !ChangeCursor.TryDecode(cursors[0], company, out cursor)))
            errors["cursor"] = ["cursor is not a next_cursor this server issued for this API key's company. Start again without a cursor."];
        return new ChangesQuery(cursor, limit);
    }
}
