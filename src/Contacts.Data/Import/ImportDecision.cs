namespace Contacts.Data.Import;

/// <summary>What an import does with one record.</summary>
public abstract record ImportDecision(ImportRecord Record)
{
    public sealed record Insert(ImportRecord Record) : ImportDecision(Record);
    public sealed record Update(ImportRecord Record, ExistingContact Target) : ImportDecision(Record);
    public sealed record Reject(ImportRecord Record, string Reason) : ImportDecision(Record);
}
