using System.Text.Json.Nodes;
using Contacts.Api.Binding;
using Contacts.Contracts;
using Contacts.Operations;
using ProblemDetails = Microsoft.AspNetCore.Mvc.ProblemDetails;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace Contacts.Api;

/// <summary>
/// The OpenAPI 3.1 document at /openapi/v1.json and the Scalar reference page at /docs, both switched by Docs:Enabled.
/// Parameters are described by the records that bind them (Api/Binding); headers, examples and the wire schemas'
/// exact shape are described here.
/// </summary>
public static class ContactsOpenApi
{
    public const string DocumentPath = "/openapi/{documentName}.json";
    public const string DocsPath = "/docs";
    public const string SecurityScheme = "Bearer";

    public static IServiceCollection AddContactsOpenApi(this IServiceCollection services)
    {
        services.AddOpenApi("v1", options =>
        {
            options.OpenApiVersion = OpenApiSpecVersion.OpenApi3_1;
            // Only the API: whatever else the host maps (health, metrics, the docs page itself) is not part of the contract.
            options.ShouldInclude = description => description.RelativePath?.StartsWith("api/", StringComparison.Ordinal) == true;
            options.AddDocumentTransformer((document, context, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Contacts API",
                    Version = "v1",
                    Description = "Read a company's contacts and contact tags. Every request carries the company's API key " +
                                  "as `Authorization: Bearer ck_…`; only that company's data is returned. Four operations: the " +
                                  "contacts and tags lists page with `page`/`limit` and answer with the same envelope plus an RFC 8288 " +
                                  "`Link` header; one contact is read by its id; the change feed keeps a copy in step. Every `200` " +
                                  "carries a weak `ETag`: send it back in `If-None-Match` and an unchanged answer is a `304` without a body.",
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[SecurityScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "ck_…",
                    Description = "The company's API key, created with `contacts key create --company <id>`.",
                };
                // Relative to the document unless Api:PublicBaseUrl says where clients reach the service: never the Host
                // header of whoever asked. "/" is the spec's default made explicit (linters require a servers entry).
                var baseUrl = context.ApplicationServices.GetRequiredService<IOptions<ApiOptions>>().Value.BaseUrl;
                document.Servers = [new OpenApiServer { Url = baseUrl ?? "/" }];
                OpenApiHeaders.Describe(document);
                foreach (var tag in document.Tags ?? new HashSet<OpenApiTag>())
                    tag.Description ??= tag.Name switch
                    {
                        "Contacts" => "The company's contacts: a page at a time, or as a change feed for keeping a copy.",
                        "Tags" => "The company's contact tags, each with how many contacts carry it.",
                        _ => null,
                    };
                return Task.CompletedTask;
            });
            options.AddOperationTransformer(ParameterBinding.DescribeAsync);
            options.AddSchemaTransformer(DescribeWireTypes);
            // The schema names generated clients already use (they were named after the service's own records before
            // the records moved to Contacts.Contracts).
            options.CreateSchemaReferenceId = info => SchemaIds.TryGetValue(info.Type, out var id) ? id : OpenApiOptions.CreateDefaultSchemaReferenceId(info);
        });
        return services;
    }

    public static IEndpointRouteBuilder MapContactsDocs(this IEndpointRouteBuilder app)
    {
        if (!app.ServiceProvider.GetRequiredService<IOptions<DocsOptions>>().Value.Enabled) return app;
        app.MapOpenApi(DocumentPath).AllowAnonymous();
        app.MapScalarApiReference(DocsPath, options => options
                .WithTitle("Contacts API reference")
                .WithOpenApiRoutePattern(DocumentPath)
                // Served entirely by this service: no web fonts, telemetry, AI agent or proxy from a third party.
                .DisableDefaultFonts()
                .DisableTelemetry()
                .DisableAgent()
                .DisableMcp()
                .HideDeveloperTools()
                .HideClientButton()
                .ExpandAllTags()
                .AddPreferredSecuritySchemes(SecurityScheme)
                .WithDefaultHttpClient(ScalarTarget.Shell, ScalarClient.Curl))
            .AllowAnonymous()
            .Add(endpoint =>
            {
                // The browser itself then refuses any request to another origin, whatever a future Scalar version tries.
                var next = endpoint.RequestDelegate!;
                endpoint.RequestDelegate = http =>
                {
                    http.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
                    return next(http);
                };
            });
        return app;
    }

    // Scalar starts from one inline module script and inline styles; everything it fetches is on this origin.
    private const string ContentSecurityPolicy = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; " +
                                                 "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; " +
                                                 "frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

    /// <summary>Summary, tags and every response of GET /api/v1/contacts.</summary>
    public static RouteHandlerBuilder DescribeListContacts(this RouteHandlerBuilder endpoint) => endpoint
        .WithSummary("List contacts")
        .WithDescription("A page of the company's contacts in id order, each with its tags. `search` matches names, email, " +
                         "phone numbers (also by digits) and tag names; `updated_since` and `tag_id` serve incremental sync jobs.")
        .WithTags("Contacts")
        .Produces<Page<Contact>>(StatusCodes.Status200OK)
        .DescribeErrors()
        .AddOpenApiOperationTransformer((operation, context, _) =>
        {
            Describe(operation, context, ContactsExample);
            return Task.CompletedTask;
        });

    /// <summary>Summary, tags and every response of GET /api/v1/contacts/tags.</summary>
    public static RouteHandlerBuilder DescribeListTags(this RouteHandlerBuilder endpoint) => endpoint
        .WithSummary("List contact tags")
        .WithDescription("A page of the company's tags in id order, each with the number of contacts carrying it. " +
                         "`search` matches the tag name.")
        .WithTags("Tags")
        .Produces<Page<Tag>>(StatusCodes.Status200OK)
        .DescribeErrors()
        .AddOpenApiOperationTransformer((operation, context, _) =>
        {
            Describe(operation, context, TagsExample);
            return Task.CompletedTask;
        });

    /// <summary>Summary, tags and every response of GET /api/v1/contacts/{id}.</summary>
    public static RouteHandlerBuilder DescribeGetContact(this RouteHandlerBuilder endpoint) => endpoint
        .WithSummary("Get a contact")
        .WithDescription("One of the company's contacts by its `id`, in exactly the shape of an item of `GET /api/v1/contacts` " +
                         "(tags included, not wrapped in an envelope). `404` when the company has no contact with that id, " +
                         "whether it never existed, was deleted or belongs to another company: the answer is the same.")
        .WithTags("Contacts")
        .Produces<Contact>(StatusCodes.Status200OK)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .DescribeErrors()
        .AddOpenApiOperationTransformer((operation, context, _) =>
        {
            Describe(operation, context, ContactExample, paged: false);
            return Task.CompletedTask;
        });

    private static RouteHandlerBuilder DescribeErrors(this RouteHandlerBuilder endpoint) => endpoint
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status405MethodNotAllowed)
        .ProducesProblem(StatusCodes.Status429TooManyRequests)
        .ProducesProblem(StatusCodes.Status500InternalServerError)
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

    private static readonly Dictionary<string, string> ResponseDescriptions = new(StringComparer.Ordinal)
    {
        ["200"] = "A page of results in the pagination envelope.",
        ["400"] = "A query parameter is invalid; `errors` names each one.",
        ["401"] = "No valid API key: missing, not sent as `Authorization: Bearer <key>` (no scheme, another scheme, no key), " +
                  "or malformed, unknown or revoked; `detail` says which of these it is.",
        ["405"] = "Only GET is allowed.",
        ["429"] = "Too many requests: the key's allowance is used up, or its company already has as many requests running and " +
                  "waiting for the database as it may; retry after the number of seconds in `Retry-After`.",
        ["500"] = "An unexpected error; quote the `traceId` when reporting it.",
        ["503"] = "The database is unavailable, or busy with other companies' requests for longer than a request waits; " +
                  "retry after the number of seconds in `Retry-After`.",
    };

    private static readonly Dictionary<string, string> SingleResponseDescriptions = new(StringComparer.Ordinal)
    {
        ["200"] = "The contact, exactly as an item of the list.",
        ["400"] = "The id is not one the API writes (digits only, no sign, spaces or leading zeros, at most 2^63-1); `errors` names it.",
        ["404"] = "The company has no contact with this id: it never existed, was deleted, or is another company's (the same answer).",
    };

    private static void Describe(OpenApiOperation operation, OpenApiOperationTransformerContext context, string example, bool paged = true)
    {
        operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SecurityScheme, context.Document)] = [] }];

        // Sorted by status, with every header, for the whole document (OpenApiHeaders).
        foreach (var (status, response) in operation.Responses ?? [])
        {
            if (response is not OpenApiResponse described) continue;
            var text = (paged ? null : SingleResponseDescriptions.GetValueOrDefault(status)) ?? ResponseDescriptions.GetValueOrDefault(status);
            if (text is not null) described.Description = text;
            if (status == "200")
            {
                if (paged)
                {
                    described.Headers ??= new Dictionary<string, IOpenApiHeader>();
                    described.Headers["Link"] = new OpenApiHeader
                    {
                        Description = "RFC 8288 links to the `first`, `prev`, `next` and `last` pages (prev/next only where " +
                                      "they exist, last only when there are results); other query parameters are kept.",
                        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                    };
                }
                if (described.Content?.TryGetValue("application/json", out var json) == true) json.Example = JsonNode.Parse(example);
            }
        }
    }

    private static readonly Dictionary<Type, string> SchemaIds = new()
    {
        [typeof(Page<Contact>)] = "PageOfContactResponse", [typeof(Page<Tag>)] = "PageOfTagResponse",
        [typeof(Contact)] = "ContactResponse", [typeof(ContactTag)] = "ContactTagResponse", [typeof(Tag)] = "TagResponse",
    };

    private static readonly HashSet<Type> WireTypes =
        [typeof(Page<Contact>), typeof(Page<Tag>), typeof(Contact), typeof(ContactTag), typeof(Tag), typeof(TagCount)];

    /// <summary>
    /// The wire types as the serializer writes them: every key always present (nulls included), ids as int64 strings,
    /// timestamps through their custom converter, problem bodies with traceId.
    /// </summary>
    private static Task DescribeWireTypes(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken ct)
    {
        // The web JSON defaults would read numbers from strings; the service writes plain numbers.
        if (schema.Type is { } type && type.HasFlag(JsonSchemaType.String) && (type.HasFlag(JsonSchemaType.Integer) || type.HasFlag(JsonSchemaType.Number)))
        {
            schema.Type = type & ~JsonSchemaType.String;
            schema.Pattern = null;
        }

        var clrType = context.JsonTypeInfo.Type;
        if (WireTypes.Contains(clrType) && context.JsonPropertyInfo is null && schema.Properties is { } properties)
        {
            schema.Required = new HashSet<string>(properties.Keys, StringComparer.Ordinal);
            foreach (var name in properties.Keys.ToList())
            {
                if (name == "id")
                    properties[name] = new OpenApiSchema
                    {
                        Type = JsonSchemaType.String, Pattern = IdsAttribute.IdPattern,
                        Description = "A positive int64, as a string so that no client loses precision.",
                    };
                else if (name.EndsWith("_at", StringComparison.Ordinal))
                    properties[name] = new OpenApiSchema
                    {
                        Type = JsonSchemaType.String, Format = "date-time", Pattern = @"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$",
                        Description = "UTC, always with three fractional digits.",
                    };
            }
        }

        if ((clrType == typeof(ProblemDetails) || clrType == typeof(HttpValidationProblemDetails)) && context.JsonPropertyInfo is null)
        {
            // The service always fills these four (Problems.cs), so they are not nullable on the wire.
            schema.Properties ??= new Dictionary<string, IOpenApiSchema>();
            schema.Properties["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "A URI identifying the problem type." };
            schema.Properties["title"] = new OpenApiSchema { Type = JsonSchemaType.String };
            schema.Properties["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" };
            schema.Properties["detail"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String, Description = "What went wrong and how to fix it.",
                // Generated clients (Kiota) use it as their exception's message.
                Extensions = new Dictionary<string, IOpenApiExtension> { ["x-ms-primary-error-message"] = new JsonNodeExtension(JsonValue.Create(true)) },
            };
            schema.Properties["traceId"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String, Pattern = "^[0-9a-f]{32}$",
                Description = "The request's W3C trace id: the 32 hex digits of the trace-id field of its `traceparent` " +
                              "(one is made when the request had none). The server's request log and error log carry the same id.",
            };
            schema.Required = new HashSet<string>(["type", "title", "status", "detail", "traceId"], StringComparer.Ordinal);
            if (clrType == typeof(HttpValidationProblemDetails))
            {
                schema.Required.Add("errors");
                schema.Properties["errors"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Description = "Each invalid query parameter by name, with the rule it broke; `detail` joins these messages.",
                    AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
                };
            }
        }

        // _count itself is described by the record's XML docs (Contacts.Contracts); its one field is not.
        if (clrType == typeof(TagCount) && context.JsonPropertyInfo is null &&
            schema.Properties?.TryGetValue("contact_tag", out var contactTag) == true && contactTag is OpenApiSchema count)
            count.Description = "How many of the company's contacts carry the tag.";
        return Task.CompletedTask;
    }

    // The two response examples of the API's original description (shared/seed/contacts-api.txt), verbatim except the
    // email, which the copy we were given shows as a web page's "[email protected]" placeholder.
    private const string ContactsExample = """
        {
          "data": [
            {
              "id": "1234567890",
              "first_name": "Jane",
              "last_name": "Doe",
              "email": "jane@example.com",
              "phone_number": "1234567890",
              "phone_number_lid": null,
              "profile_picture": "https://cdn.example.com/avatars/jane.jpg",
              "created_at": "2025-08-01T10:00:00.000Z",
              "updated_at": "2025-09-15T08:30:00.000Z",
              "tags": [
                {
                  "id": "42",
                  "name": "VIP",
                  "color": "#1156d6"
                },
                {
                  "id": "57",
                  "name": "Lead",
                  "color": "#e63946"
                }
              ]
            }
          ],
          "currentPage": 1,
          "totalPages": 12,
          "totalRecords": 115
        }
        """;

    // The list example's contact, alone.
    private static readonly string ContactExample = JsonNode.Parse(ContactsExample)!["data"]![0]!.ToJsonString();

    private const string TagsExample = """
        {
          "data": [
            {
              "id": "42",
              "name": "VIP",
              "color": "#1156d6",
              "created_at": "2025-06-10T09:00:00.000Z",
              "_count": {
                "contact_tag": 38
              }
            },
            {
              "id": "57",
              "name": "Lead",
              "color": "#e63946",
              "created_at": "2025-07-22T14:15:00.000Z",
              "_count": {
                "contact_tag": 12
              }
            }
          ],
          "currentPage": 1,
          "totalPages": 3,
          "totalRecords": 25
        }
        """;
}
