using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace Contacts.Api.Binding;

/// <summary>
/// What bound records add to their endpoint: their parameters for the document, and (once per endpoint) the filter
/// that answers 400 with every invalid parameter before the handler runs.
/// </summary>
internal static class ParameterBinding
{
    public static ApiOptions Options(HttpContext http) => http.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value;

    public static void Declare(EndpointBuilder endpoint, IReadOnlyList<ParameterAttribute> parameters)
    {
        var validated = endpoint.Metadata.OfType<DeclaredParameters>().Any();
        endpoint.Metadata.Add(new DeclaredParameters(parameters));
        if (!validated) endpoint.FilterFactories.Add((_, next) => invocation => Invalid(invocation.Arguments) is { } problem
            ? ValueTask.FromResult<object?>(problem)
            : next(invocation));
    }

    /// <summary>One 400 for the errors of every bound record among the arguments, in the handler's order; null when none.</summary>
    private static ValidationProblem? Invalid(IList<object?> arguments)
    {
        Dictionary<string, string[]>? errors = null;
        string? title = null;
        foreach (var argument in arguments)
        {
            if (argument is not IBoundParameters { Errors: { Any: true } invalid }) continue;
            invalid.CopyTo(errors ??= new Dictionary<string, string[]>(StringComparer.Ordinal));
            title ??= invalid.Title;
        }
        return errors is null ? null : Problems.InvalidParameters(title!, errors);
    }

    /// <summary>The operation's parameters, exactly those its bound records declare, in the handler's order.</summary>
    public static Task DescribeAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        var declared = context.Description.ActionDescriptor.EndpointMetadata.OfType<DeclaredParameters>().ToList();
        if (declared.Count == 0) return Task.CompletedTask;
        var options = context.ApplicationServices.GetRequiredService<IOptions<ApiOptions>>().Value;
        operation.Parameters = [.. declared.SelectMany(d => d.Parameters).Select(p => (IOpenApiParameter)p.Describe(options))];
        return Task.CompletedTask;
    }
}
