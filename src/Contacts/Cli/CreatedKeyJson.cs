namespace Contacts.Cli;

internal sealed record CreatedKeyJson(string Id, string CompanyId, string? Name, string Key);
