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
