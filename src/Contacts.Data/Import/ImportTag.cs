namespace Contacts.Data.Import;

/// <summary>A tag by name; Color null means "keep the tag's colour" (or none for a new tag).</summary>
public sealed record ImportTag(string Name, string? Color);
