namespace Contacts.Data.Keys;

public sealed record ApiKeyRow(string Id, long CompanyId, string? Name, DateTime CreatedAt, DateTime? RevokedAt, DateTime? LastUsedAt);
