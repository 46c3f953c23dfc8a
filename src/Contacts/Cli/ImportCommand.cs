using Contacts.Import;
using System.CommandLine;
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
        var company = CompanyOption.Create();
        var skipInvalid = new Option<bool>("--skip-invalid") { Description = "Import the valid rows and report the invalid ones" };
        var fifoTimeout = WholeNumberOption.Create<int>("--fifo-timeout", "When FILE is a FIFO (named pipe): seconds to wait for a program to open it for writing",
            "a whole number of seconds", ImportSource.DefaultFifoTimeoutSeconds);
        var file = new Argument<FileInfo>("FILE") { Description = "A .csv (header row) or .jsonl file, or a FIFO with such a name" };
        var command = io.UsesDatabase(new Command("import", "Import contacts from CSV or JSON Lines: match by id, else phone_number, else email; update or insert.")
        {
            company, skipInvalid, fifoTimeout, file, io.JsonOption,
        });
        command.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!.FullName;
            var seconds = parse.GetValue(fifoTimeout);
            if (seconds is < 1 or > 3600) throw new CliException($"--fifo-timeout must be 1 to 3600 seconds, not {seconds}.");
            // Before the database: a file that cannot be read costs no connection, and a FIFO's wait holds no lock.
            Stream source;
            try
            {
                source = await ImportSource.OpenAsync(path, TimeSpan.FromSeconds(seconds), ct);
            }
            catch (ImportSourceException e)
            {
                throw new CliException(e.Message);
            }
            using var reading = new ImportReading(source, path, parse.GetValue(skipInvalid));
            await using var db = await io.OpenMigratedAsync(parse, ct);
            var companyId = await io.RequireCompanyAsync(db, parse.GetValue(company), ct);
            var json = parse.GetValue(io.JsonOption);

            // No total is known before the single pass ends: progress counts the rows written so far, inside the
            // import's one transaction (every 50,000, so a small or quickly refused file prints none).
            long progressLines = 0;
            var progress = new Action<long>(n =>
            {
                if (n / 50_000 <= progressLines) return;
                progressLines = n / 50_000;
                io.Error.WriteLine($"import: {n:N0} rows written so far, not committed until the import ends");
            });
            try
            {
                var outcome = await ContactImporter.ImportAsync(db, companyId, reading.Records(), reading.SkipInvalid, reading.Errors, reading.Claims, progress, ct);
                return Report(io, json, path, companyId, outcome, imported: true);
            }
            catch (ImportRejectedException e)
            {
                return Report(io, json, path, companyId, new ImportOutcome(0, 0, 0, e.Errors), imported: false);
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
        var rejected = outcome.Rejected;
        if (json)
        {
            io.Out.WriteLine(System.Text.Json.JsonSerializer.Serialize(new
            {
                imported,
                company_id = companyId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                inserted = outcome.Inserted,
                updated = outcome.Updated,
                unchanged = outcome.Unchanged,
                rejected = rejected.Count,
                errors = rejected.First.Select(e => new { line = e.Line, reason = e.Reason }),
            }, ContactsCli.Json));
        }
        else if (imported)
        {
            io.Out.WriteLine($"Imported {Path.GetFileName(path)} into company {companyId}: {outcome.Inserted} inserted, {outcome.Updated} updated, {outcome.Unchanged} unchanged, {rejected.Count} rejected.");
        }
        if (!json)
        {
            foreach (var error in rejected.First) io.Error.WriteLine($"{Path.GetFileName(path)}:{error.Line}: {error.Reason}");
            if (rejected.Count > rejected.First.Count)
                io.Error.WriteLine($"... and {rejected.Count - rejected.First.Count:N0} more rejected rows (the first {ImportErrors.Kept} are shown).");
        }
        if (imported) return ContactsCli.Ok;
        io.Error.WriteLine(unreadable
            ? "error: the file cannot be read as a whole (see above); nothing was imported."
            : $"error: {rejected.Count:N0} invalid row(s); nothing was imported (all or nothing). Fix them, or pass --skip-invalid to import the valid rows.");
        return ContactsCli.BadInput;
    }
}
