namespace Contacts.Cli;

internal sealed record KeyListItemJson(string Id, string CompanyId, string? Name, DateTime CreatedAt, DateTime? RevokedAt, DateTime? LastUsedAt);
