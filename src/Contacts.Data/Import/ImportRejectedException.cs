namespace Contacts.Data.Import;

/// <summary>Thrown when an all-or-nothing import has refused a row: its transaction is rolled back, nothing was written.</summary>
public sealed class ImportRejectedException(ImportErrors errors)
    : Exception($"{errors.Count} row(s) rejected; nothing was imported.")
{
    public ImportErrors Errors { get; } = errors;
}
