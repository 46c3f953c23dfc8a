namespace Contacts.Cli;

internal sealed record MigrateJson(string[] Applied, int Version);
