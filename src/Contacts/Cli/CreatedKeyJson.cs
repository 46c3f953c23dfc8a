using Contacts.Data;
using Contacts.Data.Companies;
using Contacts.Data.Keys;

namespace Contacts.Cli;

internal sealed record CreatedKeyJson(string Id, string CompanyId, string? Name, string Key);
