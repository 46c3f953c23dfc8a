namespace Contacts.Data.Import;

/// <summary>A contact row to write: its id, the record's fields and the timestamps decided by the matcher.</summary>
public sealed record ContactRow(long Id, ImportRecord Record, DateTime CreatedAt, DateTime UpdatedAt);
