namespace Contacts.Api.Binding;

/// <summary>The rule each invalid parameter of one bound record broke, by name, in the order the record declares them.</summary>
internal sealed class ParameterErrors
{
    private Dictionary<string, string[]>? _errors;

    public bool Any => _errors is not null;

    /// <summary>The title of the first parameter named: the 400's title.</summary>
    public string? Title { get; private set; }

    /// <summary>One message per parameter: a later rule it broke replaces an earlier one.</summary>
    public void Add(ParameterAttribute parameter, string message)
    {
        (_errors ??= new Dictionary<string, string[]>(StringComparer.Ordinal))[parameter.Name] = [message];
        Title ??= parameter.ProblemTitle;
    }

    public void CopyTo(IDictionary<string, string[]> errors)
    {
        foreach (var (name, messages) in _errors ?? []) errors[name] = messages;
    }
}
