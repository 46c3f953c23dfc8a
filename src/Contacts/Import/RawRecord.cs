namespace Contacts.Import;

/// <summary>A row as read from a file, before validation: every value still text.</summary>
public sealed record RawRecord(int Line, string? Id, string? FirstName, string? LastName, string? Email, string? PhoneNumber,
    string? PhoneNumberLid, string? ProfilePicture, string? CreatedAt, string? UpdatedAt, IReadOnlyList<(string Name, string? Color)> Tags);
