namespace Contacts.Data.Import;

/// <summary>What an import did; Rejected counts every refused row and keeps the first 100.</summary>
public sealed record ImportOutcome(int Inserted, int Updated, int Unchanged, ImportErrors Rejected);
