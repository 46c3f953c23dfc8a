namespace Contacts.Cli;

internal sealed record RevokedKeyJson(string Id, bool Revoked);
