namespace Contacts.Operations;

/// <summary>Bound from the "Docs" section: whether /docs and /openapi/v1.json are served, and to whom.</summary>
public sealed class DocsOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>The document and the page describe the public contract, so they are public unless the operator says otherwise.</summary>
    public bool AllowRemote { get; set; } = true;

    [Networks("Docs:AllowedNetworks")]
    public string[] AllowedNetworks { get; set; } = [];
}
