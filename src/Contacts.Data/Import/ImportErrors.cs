namespace Contacts.Data.Import;

/// <summary>
/// The rows an import refused: every one counted, only the <see cref="Kept"/> with the lowest line numbers kept with
/// their reasons, so that ten bad rows and ten million cost the same memory (3.28M kept errors once took 1.17 GB).
/// Errors do not arrive in line order (the reader refuses a row at once, the database's checks come when its batch is
/// written), hence the lowest lines rather than the first added.
/// </summary>
public sealed class ImportErrors
{
    public const int Kept = 100;

    private readonly List<RowError> _first = new(Kept + 1);

    /// <summary>Every refused row, kept or not.</summary>
    public long Count { get; private set; }

    /// <summary>The refused rows with the lowest line numbers, at most <see cref="Kept"/>, in line order.</summary>
    public IReadOnlyList<RowError> First => _first;

    public void Add(RowError error)
    {
        Count++;
        if (_first.Count == Kept && error.Line >= _first[^1].Line) return;
        _first.Insert(_first.FindLastIndex(e => e.Line <= error.Line) + 1, error);
        if (_first.Count > Kept) _first.RemoveAt(Kept);
    }
}
