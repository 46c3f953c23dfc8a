namespace Contacts.Data.Import;

/// <summary>One contact to import, already validated (see the readers in src/Contacts/Import). Line is the source line for errors.</summary>
public sealed record ImportRecord(
    int Line,
    long? Id,
    string? FirstName,
    string? LastName,
    string? Email,
    string? PhoneNumber,
    string? PhoneNumberLid,
    string? ProfilePicture,
    DateTime? CreatedAt,
    DateTime? UpdatedAt,
    IReadOnlyList<ImportTag> Tags);

/// <summary>A tag by name; Color null means "keep the tag's colour" (or none for a new tag).</summary>
public sealed record ImportTag(string Name, string? Color);

public sealed record RowError(int Line, string Reason);

/// <summary>What an import did; Rejected counts every refused row and keeps the first 100.</summary>
public sealed record ImportOutcome(int Inserted, int Updated, int Unchanged, ImportErrors Rejected);

/// <summary>Thrown when an all-or-nothing import has refused a row: its transaction is rolled back, nothing was written.</summary>
public sealed class ImportRejectedException(ImportErrors errors)
    : Exception($"{errors.Count} row(s) rejected; nothing was imported.")
{
    public ImportErrors Errors { get; } = errors;
}
