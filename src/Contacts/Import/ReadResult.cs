using Contacts.Data.Import;

namespace Contacts.Import;

/// <summary>
/// One entry of a file: a valid record, or the line and reason it was refused. FileUnreadable: the rest of the
/// file cannot be read (no usable header, broken CSV), so not even --skip-invalid can import it.
/// </summary>
public sealed record ReadResult(ImportRecord? Record, RowError? Error, bool FileUnreadable = false);
