using System.Globalization;
using Contacts.Import;
using System.CommandLine;
using Contacts.Data;
using Contacts.Data.Import;

namespace Contacts.Cli;

/// <summary>
/// contacts import --company ID FILE [--skip-invalid]. One pass over the file: rows are validated and written as
/// they are read, in one transaction. Without --skip-invalid a single bad row rejects the file and nothing changes.
/// </summary>
public static class ImportCommand
{
    public static Command Create(CliContext io)
    {
        var company = new Option<long>("--company") { Description = "Company id", Required = true };
        var skipInvalid = new Option<bool>("--skip-invalid") { Description = "Import the valid rows and report the invalid ones" };
        var file = new Argument<FileInfo>("FILE") { Description = "A .csv (header row) or .jsonl file" };
        var command = new Command("import", "Import contacts from CSV or JSON Lines: match by id, else phone_number, else email; update or insert.")
        {
            company, skipInvalid, file, io.JsonOption,
        };
        command.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!.FullName;
            if (!File.Exists(path)) throw new CliException($"File not found: {path}");
            if (!ContactFileReader.IsSupported(path)) throw new CliException($"'{path}': unknown file type; use .csv or .jsonl (.ndjson).");
            await using var db = await io.OpenMigratedAsync(parse, ct);
            var companyId = await io.RequireCompanyAsync(db, parse.GetValue(company), ct);
            var skip = parse.GetValue(skipInvalid);
            var json = parse.GetValue(io.JsonOption);

            var reading = new ImportReading(path, skip);
            // No total is known before the single pass ends: progress counts rows written so far.
            var progress = new Action<long>(n => { if (n % 50_000 < ContactImporter.BatchSize) io.Error.WriteLine($"import: {n:N0} rows written"); });
            try
            {
                var outcome = await ContactImporter.ImportAsync(db, companyId, reading.Records(), skip, reading.Errors, progress, ct);
                var rejected = outcome.Rejected.OrderBy(e => e.Line).ToList();
                return Report(io, json, path, companyId, outcome with { Rejected = rejected }, imported: true);
            }
            catch (ImportRejectedException e)
            {
                return Report(io, json, path, companyId, new ImportOutcome(0, 0, 0, [.. e.Errors.OrderBy(r => r.Line)]), imported: false);
            }
            catch (FileUnreadableException)
            {
                return Report(io, json, path, companyId, new ImportOutcome(0, 0, 0, reading.Errors), imported: false, unreadable: true);
            }
        });
        return command;
    }

    private static int Report(CliContext io, bool json, string path, long companyId, ImportOutcome outcome, bool imported, bool unreadable = false)
    {
        if (json)
        {
            io.Out.WriteLine(System.Text.Json.JsonSerializer.Serialize(new
            {
                imported,
                company_id = companyId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                inserted = outcome.Inserted,
                updated = outcome.Updated,
                unchanged = outcome.Unchanged,
                rejected = outcome.Rejected.Count,
                errors = outcome.Rejected.Select(e => new { line = e.Line, reason = e.Reason }),
            }, ContactsCli.Json));
        }
        else if (imported)
        {
            io.Out.WriteLine($"Imported {Path.GetFileName(path)} into company {companyId}: {outcome.Inserted} inserted, {outcome.Updated} updated, {outcome.Unchanged} unchanged, {outcome.Rejected.Count} rejected.");
        }
        foreach (var error in outcome.Rejected.Take(json ? 0 : 100)) io.Error.WriteLine($"{Path.GetFileName(path)}:{error.Line}: {error.Reason}");
        if (!json && outcome.Rejected.Count > 100) io.Error.WriteLine($"... and {outcome.Rejected.Count - 100} more rejected rows.");
        if (imported) return ContactsCli.Ok;
        io.Error.WriteLine(unreadable
            ? "error: the file cannot be read as a whole (see above); nothing was imported."
            : $"error: {outcome.Rejected.Count} invalid row(s); nothing was imported. Fix them, or pass --skip-invalid to import the valid rows.");
        return ContactsCli.BadInput;
    }
}

/// <summary>
/// The single pass over the file: each row is read, validated and checked against the rows before it, then handed to
/// the importer, so the rows validated are exactly the rows written. Errors are collected as they come; without
/// --skip-invalid the first one stops the writing (the importer then rolls back) while reading goes on to report
/// every bad row. A file that cannot be read as a whole ends the import with <see cref="FileUnreadableException"/>.
/// </summary>
public sealed class ImportReading(string path, bool skipInvalid)
{
    public List<RowError> Errors { get; } = [];

    public IEnumerable<ImportRecord> Records()
    {
        // Every row's keys with their first line, for the whole file: on disk, so memory does not grow with the rows.
        using var seen = new SeenKeys();
        foreach (var result in ContactFileReader.Read(path))
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
                ? Seen(seen, SeenKeys.Kind.Phone, record.PhoneNumber, "phone_number") ?? Seen(seen, SeenKeys.Kind.Email, record.Email, "email")
                  ?? First(seen, SeenKeys.Kind.Id, id.ToString(CultureInfo.InvariantCulture), record.Line, "id")
                : Seen(seen, SeenKeys.Kind.PhoneWithId, record.PhoneNumber, "phone_number") ?? Seen(seen, SeenKeys.Kind.EmailWithId, record.Email, "email")
                  ?? (record.PhoneNumber is { } phone ? First(seen, SeenKeys.Kind.Phone, phone, record.Line, "phone_number") : null)
                  ?? (record.Email is { } email ? First(seen, SeenKeys.Kind.Email, email, record.Line, "email") : null);
            if (duplicate is not null)
            {
                Errors.Add(new RowError(record.Line, duplicate));
                continue;
            }
            if (record.Id is not null)
            {
                if (record.PhoneNumber is not null) seen.TryAdd(SeenKeys.Kind.PhoneWithId, record.PhoneNumber, record.Line);
                if (record.Email is not null) seen.TryAdd(SeenKeys.Kind.EmailWithId, record.Email, record.Line);
            }
            if (Errors.Count == 0 || skipInvalid) yield return record;
        }
    }

    private static string? Seen(SeenKeys seen, SeenKeys.Kind kind, string? key, string what) =>
        key is not null && seen.LineOf(kind, key) is { } line ? $"duplicate {what} '{key}' (first on line {line})" : null;

    private static string? First(SeenKeys seen, SeenKeys.Kind kind, string key, int line, string what) =>
        seen.TryAdd(kind, key, line) ? null : $"duplicate {what} '{key}' (first on line {seen.LineOf(kind, key)})";
}

/// <summary>The file cannot be read as a whole (no usable header, broken CSV): nothing is imported, even with --skip-invalid.</summary>
public sealed class FileUnreadableException() : Exception("the file cannot be read as a whole");
