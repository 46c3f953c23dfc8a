namespace Contacts.Cli;

internal sealed record CompanyListItemJson(string Id, string Name, DateTime CreatedAt, long Contacts, long ActiveKeys);
