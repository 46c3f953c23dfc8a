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

public sealed record ImportOutcome(int Inserted, int Updated, int Unchanged, IReadOnlyList<RowError> Rejected);

/// <summary>Thrown when an all-or-nothing import meets a row the database refuses; nothing was written.</summary>
public sealed class ImportRejectedException(IReadOnlyList<RowError> errors)
    : Exception($"{errors.Count} row(s) rejected; nothing was imported.")
{
    public IReadOnlyList<RowError> Errors { get; } = errors;
}
