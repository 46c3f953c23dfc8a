using Contacts.Data;
using Contacts.Data.Companies;
using Contacts.Data.Keys;

namespace Contacts.Cli;

internal sealed record KeyListItemJson(string Id, string CompanyId, string? Name, DateTime CreatedAt, DateTime? RevokedAt, DateTime? LastUsedAt);
