namespace Contacts.Cli;

internal sealed record CompanyJson(string Id, string Name, DateTime CreatedAt);
