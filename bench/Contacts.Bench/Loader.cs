using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Contacts.Cli;
using Contacts.Data;
using Contacts.Data.Companies;
using Contacts.Data.Import;
using Contacts.Data.Keys;
using Microsoft.Extensions.Configuration;

namespace Contacts.Bench;

/// <summary>
/// Loads a generated data set with the product's own code: `contacts migrate` once, then what `company create`, `key
/// create` and `import` run (CompanyQueries, KeyQueries, ContactImporter with the CLI's file reader), in-process and
/// over one connection pool, so that a thousand small tenants pay neither a thousand process start-ups nor three
/// thousand PostgreSQL backend starts (60 ms each on this machine, `pgbench -C`: 33 connections/s; through the CLI
/// commands, one pool per command, the large load took 307-370 s, bench/README.md). With --per-command, each company
/// goes through the CLI commands themselves, one pool each, as before. Writes keys.tsv (one line
/// per company: role, id, key, contacts, a search term, and for the big company and the probe company (the first small
/// one) 15 more keys, comma-separated) and import.json (rows, seconds) next to the data. With alone, only the probe
/// company is loaded (its search latency without the big neighbour) and its keys go to keys-PROVIDER-alone.tsv.
/// </summary>
internal static class Loader
{
    // The type-ahead and probe scenarios spread their requests over many keys of one company, as a team at its desks would.
    private const int ExtraKeys = 15;

    public static async Task<int> RunAsync(string dir, string provider, string connection, bool alone = false, bool perCommand = false)
    {
        var manifest = Manifest.Read(dir);
        var probe = manifest.Companies.FindIndex(c => c.Role == "small");
        List<int> load = alone ? [probe] : [.. Enumerable.Range(0, manifest.Companies.Count)];
        string[] common = ["--provider", provider, "--connection-string", connection];
        var lines = new ConcurrentDictionary<int, string>();
        var importSeconds = new ConcurrentDictionary<int, double>();
        var clock = Stopwatch.StartNew();
        // SQLite has one writer at a time. On PostgreSQL one import keeps one backend about half busy (it alternates with
        // the importer's own work on each batch: measured alone, the backend used half of the machine's two cores), so
        // two imports per core keep the cores busy.
        var parallel = provider == "sqlite" ? 1 : 2 * Environment.ProcessorCount;
        var done = 0;
        await CliAsync([.. common, "migrate", "--json"], CancellationToken.None); // once, before the parallel workers
        // The admin commands' own options: the schema owner, every company (CliContext.Open).
        await using var db = new ContactsDatabase(DataServices.ReadDatabaseOptions(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Database:Provider"] = provider, ["ConnectionStrings:Contacts"] = connection })
            .Build()).AsOwner());
        await Parallel.ForEachAsync(load,
            new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (i, ct) =>
            {
                var company = manifest.Companies[i];
                var keyCount = company.Role == "big" || i == probe ? ExtraKeys + 1 : 1;
                var path = Path.Combine(dir, company.File);
                var started = clock.Elapsed;
                var (id, keys, inserted) = perCommand ? await ThroughCliAsync(common, company.Name, keyCount, path, ct)
                    : await PooledAsync(db, company.Name, keyCount, path, ct);
                importSeconds[i] = (clock.Elapsed - started).TotalSeconds;
                if (inserted != company.Contacts) throw new InvalidOperationException($"{company.Name}: imported {inserted} of {company.Contacts}");
                lines[i] = string.Join('\t', company.Role, id, keys[0], company.Contacts.ToString(CultureInfo.InvariantCulture), company.Term,
                    string.Join(',', keys.Skip(1)));
                if (Interlocked.Increment(ref done) % 100 == 0 || company.Role == "big")
                    Console.Error.WriteLine($"load: {done}/{manifest.Companies.Count} companies, {clock.Elapsed.TotalSeconds:F0} s");
            });
        var wall = clock.Elapsed.TotalSeconds;
        await File.WriteAllLinesAsync(Path.Combine(dir, $"keys-{provider}{(alone ? "-alone" : "")}.tsv"), lines.OrderBy(l => l.Key).Select(l => l.Value));
        if (alone)
        {
            Console.WriteLine($"load: {manifest.Companies[probe].Name} alone ({manifest.Companies[probe].Contacts} contacts) in {wall:F1} s");
            return 0;
        }
        var big = manifest.Companies.FindIndex(c => c.Role == "big");
        var summary = new ImportSummary(manifest.Total, manifest.Companies.Count, Math.Round(wall, 2),
            Math.Round(manifest.Total / wall), manifest.Companies[big].Contacts, Math.Round(importSeconds[big], 2),
            Math.Round(manifest.Companies[big].Contacts / importSeconds[big]), parallel, perCommand ? "cli" : "pooled");
        await File.WriteAllTextAsync(Path.Combine(dir, $"import-{provider}.json"), JsonSerializer.Serialize(summary, Manifest.Options));
        Console.WriteLine($"load: {manifest.Total:N0} contacts, {manifest.Companies.Count} companies in {wall:F1} s ({summary.RowsPerSecond:N0} rows/s); " +
                          $"big company {summary.BigRows:N0} rows in {summary.BigSeconds:F1} s ({summary.BigRowsPerSecond:N0} rows/s)");
        return 0;
    }

    /// <summary>What the three commands run, on the shared pool: the company, its keys, the file read and imported by the CLI's own reader.</summary>
    private static async Task<(string Id, List<string> Keys, int Inserted)> PooledAsync(ContactsDatabase db, string name, int keyCount, string path,
        CancellationToken ct)
    {
        var company = await CompanyQueries.CreateAsync(db, name, ct);
        var keys = new List<string>();
        for (var k = 0; k < keyCount; k++) keys.Add((await KeyQueries.CreateAsync(db, company.Id, $"bench-{k}", ct)).Key);
        using var reading = ImportReading.OpenFile(path, skipInvalid: false);
        var outcome = await ContactImporter.ImportAsync(db, company.Id, reading.Records(), skipInvalid: false, reading.Errors, reading.Claims, ct: ct);
        return (company.Id.ToString(CultureInfo.InvariantCulture), keys, outcome.Inserted);
    }

    private static async Task<(string Id, List<string> Keys, int Inserted)> ThroughCliAsync(string[] common, string name, int keyCount, string path,
        CancellationToken ct)
    {
        var id = (await CliAsync([.. common, "company", "create", "--name", name, "--json"], ct)).GetProperty("id").GetString()!;
        var keys = new List<string>();
        for (var k = 0; k < keyCount; k++)
            keys.Add((await CliAsync([.. common, "key", "create", "--company", id, "--name", $"bench-{k}", "--json"], ct)).GetProperty("key").GetString()!);
        var imported = await CliAsync([.. common, "import", "--company", id, path, "--json"], ct);
        return (id, keys, imported.GetProperty("inserted").GetInt32());
    }

    private static async Task<JsonElement> CliAsync(string[] args, CancellationToken ct)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await ContactsCli.RunAsync(args, stdout, stderr, ct);
        if (code != 0) throw new InvalidOperationException($"contacts {string.Join(' ', args.Skip(4))} exited {code}: {stderr}{stdout}");
        return JsonDocument.Parse(stdout.ToString()).RootElement.Clone();
    }
}

/// <summary>Wall time covers company and key creation too; the big company's own import is the pure import rate of one file.</summary>
internal sealed record ImportSummary(int Rows, int Companies, double WallSeconds, double RowsPerSecond,
    int BigRows, double BigSeconds, double BigRowsPerSecond, int Parallel, string Path);
