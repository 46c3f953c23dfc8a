namespace Contacts.Api.Binding;

/// <summary>Endpoint metadata: the parameters one bound record of the handler declares, for the OpenAPI document.</summary>
internal sealed record DeclaredParameters(IReadOnlyList<ParameterAttribute> Parameters);
