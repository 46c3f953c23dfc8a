using System.Globalization;
using System.Text;
using System.Text.Json;
using Contacts.Data.Import;
using CsvHelper;
using CsvHelper.Configuration;

namespace Contacts.Import;

/// <summary>Reads CSV (header row) or JSON Lines, chosen by extension, and validates each row.</summary>
public static class ContactFileReader
{
    public static readonly string[] CsvColumns =
        ["id", "first_name", "last_name", "email", "phone_number", "phone_number_lid", "profile_picture", "created_at", "updated_at", "tags"];

    /// <summary>
    /// The longest CSV field read, in characters. The validator's longest field is 2,048 (profile_picture) and a full
    /// tags cell about 10,100; 2 Mi rather than 1 Mi so that a 1 MiB field is still one bad row with the validator's
    /// reason. A longer field stops the read: the file is refused (exit 2) with the line it starts on.
    /// </summary>
    public const int MaxFieldLength = 2 << 20;

    /// <summary>
    /// The longest JSON Lines line or CSV record read, in characters: what bounds the memory (and, for an endless
    /// stream without a line break, the time) a row can take. The longest valid contact is about 14,000 characters of
    /// CSV and, as JSON with every character escaped and each of its 100 tags an object, about 82,000; twice the field
    /// cap so that an over-long field is reported as such. A longer line stops the read, as for a field.
    /// </summary>
    public const int MaxLineLength = 4 << 20;

    public static readonly string FieldTooLong =
        $"a field is longer than {MaxFieldLength:N0} characters, the most the import reads (a contact's longest field has 2,048)";

    public static readonly string LineTooLong =
        $"the line is longer than {MaxLineLength:N0} characters, the most the import reads (a contact row needs far fewer)";

    // Invalid UTF-8 decodes to U+FFFD, which the validator reports with the line number.
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    public static bool IsSupported(string path) => Kind(path) is not null;

    private static string? Kind(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".csv" => "csv",
        ".jsonl" or ".ndjson" => "jsonl",
        _ => null,
    };

    /// <summary>Reads the file opened from <paramref name="path"/> (which names its format), and disposes of it.</summary>
    public static IEnumerable<ReadResult> Read(Stream file, string path) => Kind(path) switch
    {
        "csv" => ReadCsv(file),
        "jsonl" => ReadJsonLines(file),
        _ => throw new ArgumentException($"'{path}': unknown file type; use .csv or .jsonl (.ndjson)."),
    };

    private static ReadResult Validate(RawRecord raw)
    {
        var record = RecordValidator.Validate(raw, out var error);
        return new ReadResult(record, error is null ? null : new RowError(raw.Line, error));
    }

    private static IEnumerable<ReadResult> ReadCsv(Stream file)
    {
        var badData = false;
        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            BadDataFound = _ => badData = true,
            MissingFieldFound = null,
            DetectColumnCountChanges = false,
            // Skipped below instead, so that the line after a blank one is counted right.
            IgnoreBlankLines = false,
            MaxFieldSize = MaxFieldLength,
        };
        // MaxFieldSize bounds one field; a record of many short fields (or quoted line breaks) is bounded by the reader.
        using var reader = new CappedRecordReader(new StreamReader(file, Utf8, detectEncodingFromByteOrderMarks: true), MaxLineLength);
        using var csv = new CsvReader(reader, config);
        var blankLines = 0;
        string? problem;
        bool headerFound;
        while ((problem = TryRead(csv, reader, out headerFound)) is null && headerFound && csv.Parser.Record is [var only] && string.IsNullOrWhiteSpace(only))
            blankLines = csv.Parser.RawRow;
        if (problem is not null)
        {
            yield return new ReadResult(null, new RowError(blankLines + 1, problem), FileUnreadable: true);
            yield break;
        }
        if (!headerFound || !csv.ReadHeader() || csv.HeaderRecord is not { } header)
        {
            yield return new ReadResult(null, new RowError(1, "the file is empty; the first line must be the header: " + string.Join(",", CsvColumns)), FileUnreadable: true);
            yield break;
        }
        var columns = header.Select(h => h.Trim().ToLowerInvariant()).ToArray();
        var headerProblem = badData ? "bad quoting in the header" : HeaderProblem(columns);
        if (headerProblem is not null)
        {
            yield return new ReadResult(null, new RowError(1, headerProblem), FileUnreadable: true);
            yield break;
        }
        int Index(string name) => Array.IndexOf(columns, name);
        var previousEnd = csv.Parser.RawRow;
        while (true)
        {
            problem = TryRead(csv, reader, out var more);
            if (problem is not null)
            {
                yield return new ReadResult(null, new RowError(previousEnd + 1, problem), FileUnreadable: true);
                yield break;
            }
            if (!more) yield break;
            var line = previousEnd + 1;
            previousEnd = csv.Parser.RawRow;
            // CsvHelper parses fields (and reports bad data) only when they are read: read them all before the check.
            var fields = csv.Parser.Record ?? [];
            if (badData)
            {
                badData = false;
                yield return new ReadResult(null, new RowError(line, "bad quoting (a quote inside an unquoted field, or an unclosed quote)"));
                continue;
            }
            if (fields.Length == 1 && string.IsNullOrWhiteSpace(fields[0])) continue; // blank line
            if (fields.Length != columns.Length)
            {
                yield return new ReadResult(null, new RowError(line, $"expected {columns.Length} fields as in the header, found {fields.Length}"));
                continue;
            }
            string? Field(string name) => Index(name) is var i and >= 0 ? fields[i] : null;
            var tags = (Field("tags") ?? "").Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(t => (t, (string?)null)).ToList();
            yield return Validate(new RawRecord(line, Field("id"), Field("first_name"), Field("last_name"), Field("email"),
                Field("phone_number"), Field("phone_number_lid"), Field("profile_picture"), Field("created_at"), Field("updated_at"), tags));
        }
    }

    /// <summary>The next record, or why the file cannot be read past this point (null when it can).</summary>
    private static string? TryRead(CsvReader csv, CappedRecordReader reader, out bool more)
    {
        more = false;
        reader.RecordStart = csv.Parser.CharCount;
        try
        {
            more = csv.Read();
            return null;
        }
        catch (Exception e) when (e is CsvHelperException or CappedRecordReader.RecordTooLongException)
        {
            return e switch
            {
                MaxFieldSizeException => FieldTooLong,
                CappedRecordReader.RecordTooLongException or { InnerException: CappedRecordReader.RecordTooLongException } => LineTooLong,
                _ => "unreadable CSV: " + e.Message.Split('\n')[0],
            };
        }
    }

    private static string? HeaderProblem(string[] columns)
    {
        var unknown = columns.Where(c => !CsvColumns.Contains(c)).ToList();
        if (unknown.Count > 0)
            return $"unknown column(s) {string.Join(", ", unknown.Select(u => $"'{u}'"))}; the columns are: {string.Join(",", CsvColumns)}";
        var repeated = columns.GroupBy(c => c).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (repeated.Count > 0) return $"column(s) {string.Join(", ", repeated)} appear more than once in the header";
        if (!columns.Contains("id") && !columns.Contains("phone_number") && !columns.Contains("email"))
            return "the header needs an id, phone_number or email column to match contacts";
        return null;
    }

    private static IEnumerable<ReadResult> ReadJsonLines(Stream file)
    {
        using var reader = new StreamReader(file, Utf8, detectEncodingFromByteOrderMarks: true);
        foreach (var (line, text) in BoundedLines(reader))
        {
            if (text is null)
            {
                yield return new ReadResult(null, new RowError(line, LineTooLong), FileUnreadable: true);
                yield break;
            }
            if (string.IsNullOrWhiteSpace(text)) continue;
            yield return ParseJsonLine(line, text);
        }
    }

    /// <summary>
    /// Lines as ReadLine splits them (\n, \r\n), but a line past <see cref="MaxLineLength"/> is not buffered: its text
    /// is null, given as soon as the cap is passed (the caller stops there, so an endless line costs neither memory
    /// nor time).
    /// </summary>
    private static IEnumerable<(int Line, string? Text)> BoundedLines(StreamReader reader)
    {
        var buffer = new char[64 * 1024];
        var text = new StringBuilder();
        var line = 1;
        int read;
        while ((read = reader.Read(buffer, 0, buffer.Length)) > 0)
        {
            var start = 0;
            while (start < read)
            {
                var end = Array.IndexOf(buffer, '\n', start, read - start);
                var chunk = (end < 0 ? read : end) - start;
                // One more than the cap for the \r of a \r\n ending
                if (text.Length + chunk > MaxLineLength + 1)
                {
                    yield return (line, null);
                    yield break;
                }
                text.Append(buffer, start, chunk);
                if (end < 0) break;
                yield return (line++, Line(text));
                text.Length = 0;
                start = end + 1;
            }
        }
        if (text.Length > 0) yield return (line, Line(text));
    }

    private static string? Line(StringBuilder text)
    {
        if (text.Length > 0 && text[^1] == '\r') text.Length--;
        return text.Length > MaxLineLength ? null : text.ToString();
    }

    private static ReadResult ParseJsonLine(int line, string text)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            return new ReadResult(null, new RowError(line, "invalid JSON: " + e.Message.Split(" LineNumber")[0]));
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return new ReadResult(null, new RowError(line, "each line must be a JSON object (a contact)"));
            var problems = new List<string>();
            string? Text(string name)
            {
                if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
                if (value.ValueKind == JsonValueKind.String) return value.GetString();
                if (name == "id" && value.ValueKind == JsonValueKind.Number) return value.GetRawText();
                problems.Add($"{name} must be a string or null, not {value.ValueKind.ToString().ToLowerInvariant()}");
                return null;
            }
            var tags = new List<(string, string?)>();
            if (root.TryGetProperty("tags", out var tagArray) && tagArray.ValueKind != JsonValueKind.Null)
            {
                if (tagArray.ValueKind != JsonValueKind.Array) problems.Add("tags must be an array");
                else
                {
                    foreach (var tag in tagArray.EnumerateArray())
                    {
                        if (tag.ValueKind == JsonValueKind.String) tags.Add((tag.GetString()!, null));
                        else if (tag.ValueKind == JsonValueKind.Object && tag.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String)
                        {
                            var color = tag.TryGetProperty("color", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
                            tags.Add((name.GetString()!, color));
                        }
                        else problems.Add("each tag must be a name or an object with a string \"name\"");
                    }
                }
            }
            var raw = new RawRecord(line, Text("id"), Text("first_name"), Text("last_name"), Text("email"), Text("phone_number"),
                Text("phone_number_lid"), Text("profile_picture"), Text("created_at"), Text("updated_at"), tags);
            return problems.Count > 0 ? new ReadResult(null, new RowError(line, string.Join("; ", problems))) : Validate(raw);
        }
    }
}
