namespace Contacts.Data.Import;

public sealed record RowError(int Line, string Reason);
