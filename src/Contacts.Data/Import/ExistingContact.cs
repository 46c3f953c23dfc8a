namespace Contacts.Data.Import;

/// <summary>A contact already in the database that an import record may match.</summary>
public sealed record ExistingContact(long Id, long CompanyId, string? FirstName, string? LastName, string? Email, string? Phone,
    string? Lid, string? Picture, DateTime CreatedAt, DateTime UpdatedAt);
