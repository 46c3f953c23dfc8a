namespace Contacts.Data.Companies;

public sealed record CompanyRow(long Id, string Name, DateTime CreatedAt, long Contacts, long ActiveKeys);
