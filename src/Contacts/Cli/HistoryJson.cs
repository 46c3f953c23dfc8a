using Contacts.Data.Changes;

namespace Contacts.Cli;

internal sealed record HistoryJson(long History);
