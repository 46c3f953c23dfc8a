using Contacts.Data;
using Contacts.Data.Companies;
using Contacts.Data.Keys;

namespace Contacts.Cli;

internal sealed record RevokedKeyJson(string Id, bool Revoked);
