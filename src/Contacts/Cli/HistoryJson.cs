namespace Contacts.Cli;

internal sealed record HistoryJson(long History);
