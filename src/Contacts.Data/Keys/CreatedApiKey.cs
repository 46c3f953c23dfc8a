namespace Contacts.Data.Keys;

public sealed record CreatedApiKey(string Id, long CompanyId, string? Name, string Key);
