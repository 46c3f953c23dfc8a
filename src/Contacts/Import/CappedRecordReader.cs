namespace Contacts.Import;

/// <summary>
/// The text under the CSV parser, refusing to hand out more once the record being parsed has passed the cap. CsvHelper
/// caps a field (MaxFieldSize) but not a record: a line of millions of empty fields, or quoted fields that go on across
/// line breaks, would grow its field list without end. The parser asks for more text only when it has used all it was
/// given, and this reader never gives more than the cap (and a line ending) past <see cref="RecordStart"/>: a record
/// that needs more is too long.
/// </summary>
internal sealed class CappedRecordReader(TextReader inner, int maxRecordLength) : TextReader
{
    private long _handedOut;

    /// <summary>The parser's character count when the current record began (CsvParser.CharCount after the last record).</summary>
    public long RecordStart { get; set; }

    public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

    public override int Read(Span<char> buffer)
    {
        var allowed = RecordStart + maxRecordLength + 2 - _handedOut;
        if (allowed <= 0) throw new RecordTooLongException();
        var read = inner.Read(buffer.Length > allowed ? buffer[..(int)allowed] : buffer);
        _handedOut += read;
        return read;
    }

    public override int Read()
    {
        Span<char> one = stackalloc char[1];
        return Read(one) == 0 ? -1 : one[0];
    }

    public override int Peek() => inner.Peek();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }

    public sealed class RecordTooLongException() : IOException("the record is longer than the import reads");
}
