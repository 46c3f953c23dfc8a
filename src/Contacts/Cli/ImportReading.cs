using System.Globalization;
using Contacts.Data.Import;
using Contacts.Import;

namespace Contacts.Cli;

/// <summary>
/// The single pass over the file: each row is read, validated and checked against the rows before it, then handed to
/// the importer, so the rows validated are exactly the rows written. Errors are counted as they come (the first 100
/// kept); without --skip-invalid the first one stops the writing (the importer then rolls back) while reading goes on
/// to count every bad row. A file that cannot be read as a whole ends the import with <see cref="FileUnreadableException"/>.
/// Owns the file and the scratch store of keys and claims (<see cref="SeenKeys"/>): dispose after the import.
/// </summary>
public sealed class ImportReading(Stream file, string path, bool skipInvalid) : IDisposable
{
    // Every row's keys with their first line, for the whole file: on disk, so memory does not grow with the rows.
    private readonly SeenKeys _seen = new();

    public bool SkipInvalid => skipInvalid;

    /// <summary>Shared with the importer, which adds the rows the database refuses.</summary>
    public ImportErrors Errors { get; } = new();

    /// <summary>For the importer's matcher: which line claimed each contact, in the same scratch file.</summary>
    public IContactClaims Claims => _seen;

    public static ImportReading OpenFile(string path, bool skipInvalid) => new(File.OpenRead(path), path, skipInvalid);

    public IEnumerable<ImportRecord> Records()
    {
        foreach (var result in ContactFileReader.Read(file, path))
        {
            if (result.Error is { } error)
            {
                Errors.Add(error);
                if (result.FileUnreadable) throw new FileUnreadableException();
                continue;
            }
            var record = result.Record!;
            // Two rows that would match the same contact make a second import differ from the first: refuse the later one.
            // A row without an id finds its contact by phone or email on the next import: no other row of the file,
            // with or without an id, may leave a contact behind with the same phone or email.
            var duplicate = record.Id is { } id
                ? Seen(_seen, SeenKeys.Kind.Phone, record.PhoneNumber, "phone_number") ?? Seen(_seen, SeenKeys.Kind.Email, record.Email, "email")
                  ?? First(_seen, SeenKeys.Kind.Id, id.ToString(CultureInfo.InvariantCulture), record.Line, "id")
                : Seen(_seen, SeenKeys.Kind.PhoneWithId, record.PhoneNumber, "phone_number") ?? Seen(_seen, SeenKeys.Kind.EmailWithId, record.Email, "email")
                  ?? (record.PhoneNumber is { } phone ? First(_seen, SeenKeys.Kind.Phone, phone, record.Line, "phone_number") : null)
                  ?? (record.Email is { } email ? First(_seen, SeenKeys.Kind.Email, email, record.Line, "email") : null);
            if (duplicate is not null)
            {
                Errors.Add(new RowError(record.Line, duplicate));
                continue;
            }
            if (record.Id is not null)
            {
                if (record.PhoneNumber is not null) _seen.TryAdd(SeenKeys.Kind.PhoneWithId, record.PhoneNumber, record.Line);
                if (record.Email is not null) _seen.TryAdd(SeenKeys.Kind.EmailWithId, record.Email, record.Line);
            }
            if (Errors.Count == 0 || skipInvalid) yield return record;
        }
    }

    public void Dispose()
    {
        file.Dispose();
        _seen.Dispose();
    }

    private static string? Seen(SeenKeys seen, SeenKeys.Kind kind, string? key, string what) =>
        key is not null && seen.LineOf(kind, key) is { } line ? $"duplicate {what} '{key}' (first on line {line})" : null;

    private static string? First(SeenKeys seen, SeenKeys.Kind kind, string key, int line, string what) =>
        seen.TryAdd(kind, key, line) ? null : $"duplicate {what} '{key}' (first on line {seen.LineOf(kind, key)})";
}
