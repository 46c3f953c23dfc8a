using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace Contacts.Api.Binding;

/// <summary>The rule each invalid parameter broke, by name, gathered from every bound type of one request.</summary>
internal sealed class QueryErrors
{
    private readonly Dictionary<string, string[]> _errors = new(StringComparer.Ordinal);

    public int Count => _errors.Count;

    public void Add(string parameter, string message) => _errors[parameter] = [message];

    public Dictionary<string, string[]> ToDictionary() => new(_errors, StringComparer.Ordinal);

    /// <summary>The request's errors: PageQuery and ContactFilters bind separately, and one 400 names the errors of both.</summary>
    public static QueryErrors Of(HttpContext http)
    {
        if (http.Features.Get<QueryErrors>() is { } errors) return errors;
        http.Features.Set(errors = new QueryErrors());
        return errors;
    }
}

/// <summary>The query parameters a bound type declares, as endpoint metadata for the OpenAPI document.</summary>
internal sealed record DeclaredQueryParameters(Func<ApiOptions, IEnumerable<QueryParameter>> Declare);

/// <summary>
/// What a type that binds itself from the query string adds to its endpoint: its parameters for the document, and
/// (once per endpoint) the filter that answers 400 with every invalid parameter before the handler runs.
/// </summary>
internal static class QueryBinding
{
    public static ApiOptions Options(HttpContext http) => http.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value;

    public static void Declare(EndpointBuilder endpoint, Func<ApiOptions, IEnumerable<QueryParameter>> parameters)
    {
        var validated = endpoint.Metadata.OfType<DeclaredQueryParameters>().Any();
        endpoint.Metadata.Add(new DeclaredQueryParameters(parameters));
        if (!validated) endpoint.FilterFactories.Add((_, next) => invocation => QueryErrors.Of(invocation.HttpContext) is { Count: > 0 } errors
            ? ValueTask.FromResult<object?>(Problems.InvalidQuery(errors.ToDictionary()))
            : next(invocation));
    }

    /// <summary>The operation's query parameters, exactly those its bound types declare, in the handler's order.</summary>
    public static Task DescribeAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        var declared = context.Description.ActionDescriptor.EndpointMetadata.OfType<DeclaredQueryParameters>().ToList();
        if (declared.Count == 0) return Task.CompletedTask;
        var options = context.ApplicationServices.GetRequiredService<IOptions<ApiOptions>>().Value;
        operation.Parameters = [.. declared.SelectMany(d => d.Declare(options)).Select(p => (IOpenApiParameter)p.Describe())];
        return Task.CompletedTask;
    }
}
