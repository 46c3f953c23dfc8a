using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;

#pragma warning disable CA1000 // static on the generic record: ASP.NET Core finds BindAsync and PopulateMetadata there; no code calls them

namespace Contacts.Api.Binding;

/// <summary>
/// A record bound from the request by the attributes on its constructor's parameters (<see cref="ParameterAttribute"/>):
/// they read and check each value, and the same attributes describe the parameters in the OpenAPI document. A value
/// that breaks its rule leaves the parameter's default and an error; before the handler runs, one 400 names every
/// error of every bound record of the request (<see cref="ParameterBinding"/>). Unknown query parameters are ignored.
/// </summary>
/// <remarks>
/// Not [AsParameters]: the framework's own binding takes "+1", " 1" and other scripts' digits as numbers, joins a
/// parameter given twice into one value, and answers a value it cannot parse with a bare 400 before any validation
/// runs, where the contract names every broken rule in one problem body (README, architecture).
/// </remarks>
public abstract record BoundParameters<TSelf> : IBoundParameters, IEndpointParameterMetadataProvider where TSelf : BoundParameters<TSelf>
{
    ParameterErrors? IBoundParameters.Errors => Errors;

    /// <summary>Set by the binder; null for a record made in code.</summary>
    internal ParameterErrors? Errors { get; set; }

    public static ValueTask<TSelf?> BindAsync(HttpContext http) => ValueTask.FromResult<TSelf?>(ParameterBinder<TSelf>.Bind(http));

    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder) =>
        ParameterBinding.Declare(builder, ParameterBinder<TSelf>.Declared);
}
