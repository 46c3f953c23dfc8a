using Contacts.Data;
using Contacts.Data.Companies;
using Contacts.Data.Keys;

namespace Contacts.Cli;

internal sealed record CompanyJson(string Id, string Name, DateTime CreatedAt);
