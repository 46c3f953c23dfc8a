using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Contacts.Bench;

/// <summary>Reads one run's raw outputs (wrk JSON, pgbench text, meta.env, import.json) and writes the Markdown report and the p99 chart.</summary>
internal static partial class ReportWriter
{
    // p99 targets in ms from the issues (large, PostgreSQL; the search targets of issue 11); SQLite medium: searches
    // under 50 ms, everything else under 100 ms.
    private static readonly Dictionary<string, double> PostgresTargets = new()
    {
        ["list-first"] = 10, ["deep-page"] = 60, ["search-selective"] = 30, ["search-broad"] = 150,
        ["search-phone"] = 30, ["tags"] = 15, ["type-ahead"] = 50, ["two-letter"] = 100, ["mixed-small"] = 10,
        // Issue 12 sets no figure for an idle poll ("one cheap indexed statement"): the small companies' mix target, the
        // same 1,000 keys asking something as cheap.
        [Requests.IdleChanges] = 10,
        // Issue 20: the small companies' mix beside the noisy neighbour within 1.5x of the mix alone (the mix's target).
        [Requests.NoisyNeighbour] = 15,
        // Issue 21: a lookup while a person waits.
        [Requests.ContactById] = 10,
    };

    // The small companies' p99 beside the noisy neighbour may be at most this multiple of their p99 without it (issue 20).
    private const double NoisyTarget = 1.5;

    // The probe company's p99 next to a big company may be at most this multiple of its p99 alone (issue 11).
    private const double NeighbourTarget = 1.2;

    private sealed record Row(string Name, string Description, double Rps, double P50, double P90, double P99, long Errors, long Requests,
        double? Ceiling, double? Ratio, double Target);

    private sealed record Wrk(long Requests, double Rps, double P50, double P90, double P99, long Errors)
    {
        public static Wrk Read(string path)
        {
            var json = JsonDocument.Parse(File.ReadAllText(path)).RootElement;
            var requests = json.GetProperty("requests").GetInt64();
            return new Wrk(requests, requests / (json.GetProperty("duration_us").GetDouble() / 1e6), json.GetProperty("p50").GetDouble() / 1000,
                json.GetProperty("p90").GetDouble() / 1000, json.GetProperty("p99").GetDouble() / 1000, json.GetProperty("errors").GetInt64());
        }
    }

    public static int Run(string dir, string markdownPath, string svgPath)
    {
        var meta = File.ReadAllLines(Path.Combine(dir, "meta.env")).Select(l => l.Split('=', 2)).Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1]);
        var provider = meta["provider"];
        var rows = new List<Row>();
        foreach (var line in File.ReadAllLines(Path.Combine(dir, "scenarios.tsv")))
        {
            var (name, description) = (line.Split('\t')[0], line.Split('\t')[1]);
            if (!File.Exists(Path.Combine(dir, $"wrk-{name}.json"))) continue; // not selected (run.sh --only)
            var wrk = Wrk.Read(Path.Combine(dir, $"wrk-{name}.json"));
            double? ceiling = null;
            var pgbench = Path.Combine(dir, $"pgbench-{name}.txt");
            if (File.Exists(pgbench) && Tps().Match(File.ReadAllText(pgbench)) is { Success: true } m)
                ceiling = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            var target = provider == "postgres" || name.StartsWith("contact-by-id", StringComparison.Ordinal) ? PostgresTargets.GetValueOrDefault(name, 100)
                : name.Contains("search", StringComparison.Ordinal) || name is "type-ahead" or "two-letter" ? 50 : 100;
            rows.Add(new Row(name, description, wrk.Rps, wrk.P50, wrk.P90, wrk.P99, wrk.Errors, wrk.Requests,
                ceiling, ceiling is > 0 ? wrk.Rps / ceiling : null, target));
        }

        var md = new StringBuilder();
        var title = $"{meta["size"]}, {provider}{(meta.TryGetValue("label", out var label) && label.Length > 0 ? $" ({label})" : "")}";
        md.AppendLine(CultureInfo.InvariantCulture, $"# Benchmark: {title}, {meta["date"]}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Commit `{meta["commit"]}`; {meta["machine"]}. `bench/run.sh {meta["args"]}`.");
        var replay = rows.Any(r => r.Ceiling is not null) ? "; pgbench: the same statements, same concurrency and duration" : "";
        md.AppendLine(CultureInfo.InvariantCulture, $"wrk: {meta["connections"]} connections, 2 threads, {meta["duration"]} s per scenario{replay}.");
        md.AppendLine();
        md.AppendLine("| scenario | req/s | p50 ms | p90 ms | p99 ms | p99 target | errors | pgbench tx/s | service / pgbench |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
        {
            var met = r.P99 <= r.Target ? "✓" : "✗";
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Description} | {r.Rps:F0} | {r.P50:F1} | {r.P90:F1} | {r.P99:F1} | ≤ {r.Target:F0} {met} | {r.Errors} | {(r.Ceiling is { } c ? c.ToString("F0", CultureInfo.InvariantCulture) : "–")} | {(r.Ratio is { } q ? q.ToString("F2", CultureInfo.InvariantCulture) + (q >= 0.7 ? " ✓" : " ✗") : "–")} |");
        }
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"![p99 latency per scenario]({Path.GetFileName(svgPath)})");
        md.AppendLine();
        Neighbour(md, dir, provider, rows.Find(r => r.Name == "small-search"));
        Noisy(md, dir, meta["connections"]);
        Compression(md, dir, rows);
        FeedWalk(md, dir);
        Nodes(md, dir, rows, meta.GetValueOrDefault("replicas", "0"));
        var import = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "import.json"))).RootElement;
        md.AppendLine(CultureInfo.InvariantCulture,
            $"- **Import** ({(import.TryGetProperty("path", out var path) && path.GetString() == "pooled" ? "the import commands' code in-process on one connection pool" : "`contacts import`, in-process CLI")}, {import.GetProperty("parallel").GetInt32()} at a time): {import.GetProperty("rows").GetInt32():N0} contacts in " +
            $"{import.GetProperty("companies").GetInt32()} companies, wall {import.GetProperty("wall_seconds").GetDouble():F1} s " +
            $"({import.GetProperty("rows_per_second").GetDouble():N0} rows/s, company and key creation included); the big company's file alone: " +
            $"{import.GetProperty("big_rows").GetInt32():N0} rows in {import.GetProperty("big_seconds").GetDouble():F1} s ({import.GetProperty("big_rows_per_second").GetDouble():N0} rows/s).");
        md.AppendLine(CultureInfo.InvariantCulture, $"- **Server peak memory** (VmHWM): {double.Parse(meta["rss_kb"], CultureInfo.InvariantCulture) / 1024:F0} MB (target < 300 MB).");
        md.AppendLine(CultureInfo.InvariantCulture, $"- **Errors**: {rows.Sum(r => r.Errors)} over {rows.Sum(r => r.Requests):N0} requests (non-2xx, socket errors and timeouts).");
        if (meta.TryGetValue("loadavg", out var loadavg)) md.AppendLine(CultureInfo.InvariantCulture, $"- **Machine load average**: {loadavg}.");
        if (meta.TryGetValue("server", out var server)) md.AppendLine(CultureInfo.InvariantCulture, $"- **Service**: {server}");
        if (meta.TryGetValue("postgres", out var pg)) md.AppendLine(CultureInfo.InvariantCulture, $"- **PostgreSQL**: {pg}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture,
            $"Raw outputs (wrk JSON, the request files, pgbench output, the captured statements and pgbench scripts) were written to `bench/out/{Path.GetFileName(Path.TrimEndingDirectorySeparator(dir))}/` on the machine that ran it; they are not committed.");
        File.WriteAllText(markdownPath, md.ToString());
        File.WriteAllText(svgPath, Chart(title, rows));
        Console.WriteLine(md.ToString());
        return 0;
    }

    /// <summary>The probe company's search beside the same search on a database that holds that company alone.</summary>
    private static void Neighbour(StringBuilder md, string dir, string provider, Row? with)
    {
        if (with is null) return;
        var alonePath = Path.Combine(dir, "wrk-small-search-alone.json");
        md.AppendLine("**Small company search, with and without the big neighbour** (the same company, data, keys and terms; \"alone\": " +
                      (provider == "postgres" ? "a second database on the same server" : "a second SQLite file") +
                      " holding only that company; see bench/README.md):");
        md.AppendLine();
        if (!File.Exists(alonePath))
        {
            md.AppendLine("Not measured in this run (`--skip-alone`).");
            md.AppendLine();
            return;
        }
        var alone = Wrk.Read(alonePath);
        md.AppendLine("| database | req/s | p50 ms | p90 ms | p99 ms | errors |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|");
        md.AppendLine(CultureInfo.InvariantCulture, $"| with the big company | {with.Rps:F0} | {with.P50:F1} | {with.P90:F1} | {with.P99:F1} | {with.Errors} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| alone | {alone.Rps:F0} | {alone.P50:F1} | {alone.P90:F1} | {alone.P99:F1} | {alone.Errors} |");
        md.AppendLine();
        var ratio = alone.P99 > 0 ? with.P99 / alone.P99 : double.NaN;
        md.AppendLine(CultureInfo.InvariantCulture,
            $"p99 with / alone: {ratio:F2} (target ≤ {NeighbourTarget:F1} {(ratio <= NeighbourTarget ? "✓" : "✗")}); p50 with / alone: {with.P50 / alone.P50:F2}.");
        md.AppendLine();
    }

    /// <summary>
    /// The small companies' mix without and with the noisy neighbour, with the database share on (this build) and off
    /// (every request straight to the pool, as before it), and what the neighbour itself got.
    /// </summary>
    private static void Noisy(StringBuilder md, string dir, string connections)
    {
        Wrk? Read(string name) => File.Exists(Path.Combine(dir, $"wrk-{name}.json")) ? Wrk.Read(Path.Combine(dir, $"wrk-{name}.json")) : null;
        var with = Read(Requests.NoisyNeighbour);
        if (with is null) return;
        md.AppendLine(
            $"**Noisy neighbour** (issue 20): the small companies' mix ({connections} connections) alone, then while a second wrk sends " +
            $"{Requests.NoisyConnections.ToString(CultureInfo.InvariantCulture)} concurrent `updated_since=2000-01-01&page=N&limit=100` pages with one key of the big company; " +
            "with the database share (`DatabaseShare:*` defaults) and, on the same data right after, with it turned off " +
            "(`--DatabaseShare:Enabled=false`: every request straight to the connection pool, as before the share):");
        md.AppendLine();
        md.AppendLine("| database share | mix | req/s | p50 ms | p90 ms | p99 ms | errors | neighbour req/s | neighbour p99 ms | neighbour non-2xx |");
        md.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (label, suffix) in new[] { ("on", ""), ("off", "-unshared") })
        {
            var alone = Read("mixed-small" + suffix);
            var beside = Read(Requests.NoisyNeighbour + suffix);
            var heavy = Read(Requests.NoisyNeighbour + suffix + "-heavy");
            if (alone is not null)
                md.AppendLine(CultureInfo.InvariantCulture, $"| {label} | alone | {alone.Rps:F0} | {alone.P50:F1} | {alone.P90:F1} | {alone.P99:F1} | {alone.Errors} | – | – | – |");
            var neighbour = heavy is null ? "– | – | –" : string.Create(CultureInfo.InvariantCulture, $"{heavy.Rps:F0} | {heavy.P99:F0} | {heavy.Errors}");
            if (beside is not null)
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {label} | beside the neighbour | {beside.Rps:F0} | {beside.P50:F1} | {beside.P90:F1} | {beside.P99:F1} | {beside.Errors} | {neighbour} |");
            if (alone is not null && beside is not null)
            {
                var ratio = beside.P99 / alone.P99;
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {label} | p99 beside / alone | | | | **{ratio:F2}** {(ratio <= NoisyTarget ? "✓" : "✗")} (target ≤ {NoisyTarget:F1}) | | | | |");
            }
        }
        md.AppendLine();
        md.AppendLine("The neighbour's non-2xx are the share's 429s (its company's queue full or its wait bound passed): what a client that " +
                      "sends more at once than its company's share gets.");
        md.AppendLine();
    }

    /// <summary>
    /// page-100 without Accept-Encoding, with gzip, with br (issue 21): the body's bytes (bytes.tsv, curl), and what the
    /// service's process spent in CPU during each measured wrk run (cpu-NAME.txt: user + system seconds, /proc).
    /// </summary>
    private static void Compression(StringBuilder md, string dir, List<Row> rows)
    {
        var bytesPath = Path.Combine(dir, "bytes.tsv");
        var runs = new[] { ("identity", Requests.Page100), ("gzip", Requests.Page100 + "-gzip"), ("br", Requests.Page100 + "-br"), ("304", Requests.Page100Unchanged) }
            .Select(e => (Encoding: e.Item1, Row: rows.Find(r => r.Name == e.Item2), Cpu: Path.Combine(dir, $"cpu-{e.Item2}.txt")))
            .Where(e => e.Row is not null && File.Exists(e.Cpu)).ToList();
        if (runs.Count == 0 || !File.Exists(bytesPath)) return;
        var bytes = File.ReadAllLines(bytesPath).Select(l => l.Split('\t')).ToDictionary(c => c[0], c => long.Parse(c[1], CultureInfo.InvariantCulture));
        bytes["304"] = 0;
        md.AppendLine("**Compression, a page of 100 contacts** (the same 8 pages of the big company, `limit=100`; body bytes as sent, " +
                      "measured once per encoding with curl; server CPU: user + system seconds of the service's process during the measured " +
                      "wrk run, from `/proc/PID/stat`, over the requests it answered):");
        md.AppendLine();
        md.AppendLine("| Accept-Encoding | body bytes | vs identity | req/s | p50 ms | p99 ms | server CPU s | CPU ms per request |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        var identity = bytes.GetValueOrDefault("identity");
        foreach (var (encoding, row, cpuPath) in runs)
        {
            var cpu = double.Parse(File.ReadAllText(cpuPath).Trim(), CultureInfo.InvariantCulture);
            var size = bytes.GetValueOrDefault(encoding);
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {encoding switch { "identity" => "none", "304" => "none, If-None-Match: its ETag (304)", _ => encoding }} | {size:N0} | {(identity > 0 ? (double)size / identity : 0):P0} | {row!.Rps:F0} | {row.P50:F1} | {row.P99:F1} | {cpu:F1} | {cpu * 1000 / row.Requests:F2} |");
        }
        md.AppendLine();
    }

    /// <summary>The big company's first feed walk beside the list paged through it (issue 12: no slower).</summary>
    private static void FeedWalk(StringBuilder md, string dir)
    {
        var path = Path.Combine(dir, "changes-walk.json");
        if (!File.Exists(path)) return;
        var walk = JsonSerializer.Deserialize<WalkResult>(File.ReadAllText(path), Manifest.Options)!;
        md.AppendLine(CultureInfo.InvariantCulture,
            $"**Change feed, full walk** (`changes-walk`): the big company's feed from no cursor to `has_more: false`, limit {walk.Limit} " +
            $"(`Api:MaxLimit`), one page after the other from one client (`contacts-bench changes-walk`, the .NET client), " +
            $"then `GET /api/v1/contacts` paged through the same company at the same limit, the walk the issue compares it with:");
        md.AppendLine();
        md.AppendLine("| walk | pages | contacts | wall s | contacts/s | ms per page |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|");
        md.AppendLine(CultureInfo.InvariantCulture,
            $"| change feed (`changes-walk`) | {walk.Pages:N0} | {walk.Changes:N0} | {walk.Seconds:F2} | {walk.ContactsPerSecond:N0} | {walk.Seconds * 1000 / walk.Pages:F2} |");
        md.AppendLine(CultureInfo.InvariantCulture,
            $"| list paging (`?page=N&limit={walk.Limit}`) | {walk.ListPages:N0} | {walk.ListContacts:N0} | {walk.ListSeconds:F2} | {walk.ListContactsPerSecond:N0} | {walk.ListSeconds * 1000 / walk.ListPages:F2} |");
        md.AppendLine();
        var ratio = walk.Seconds / walk.ListSeconds;
        md.AppendLine(CultureInfo.InvariantCulture,
            $"Feed walk / list walk: {ratio:F2} (target ≤ 1.0 {(ratio <= 1 ? "✓" : "✗")}; one run, so read a few percent either way as noise).");
        md.AppendLine();
    }

    /// <summary>With standbys: where each scenario's statements ran (pg_stat_statements per node) and the service's reads per node.</summary>
    private static void Nodes(StringBuilder md, string dir, List<Row> rows, string replicas)
    {
        var files = rows.Select(r => (Row: r, Path: Path.Combine(dir, $"nodes-{r.Name}.tsv"))).Where(f => File.Exists(f.Path)).ToList();
        if (files.Count == 0) return;
        var stats = files.Select(f => (f.Row, Nodes: File.ReadAllLines(f.Path).Select(l => l.Split('\t')).Where(c => c.Length == 4)
            .Select(c => (Name: c[0], Reads: long.Parse(c[1], CultureInfo.InvariantCulture), Statements: long.Parse(c[2], CultureInfo.InvariantCulture),
                Ms: double.Parse(c[3], CultureInfo.InvariantCulture))).ToList())).ToList();
        var names = stats.SelectMany(s => s.Nodes.Select(n => n.Name)).Distinct().ToList();
        md.AppendLine(CultureInfo.InvariantCulture,
            $"**Per node, with {replicas} streaming standby(s)** (`--replicas {replicas}`). For each wrk run: the reads the service sent to each node " +
            $"(its metric `contacts.db.node.reads`, from `/metrics`), and the statements each server ran with their mean execution time in the " +
            $"server (`pg_stat_statements`, reset before the run; the replica monitor's own probes left out; a request is a few statements: " +
            $"the company setting and its query):");
        md.AppendLine();
        md.AppendLine("| scenario | " + string.Join(" | ", names.Select(n => $"{n}: reads · statements · mean ms")) + " | statements on standbys |");
        md.AppendLine("|---|" + string.Concat(names.Select(_ => "---:|")) + "---:|");
        foreach (var (row, nodes) in stats)
        {
            var cells = names.Select(n => nodes.Find(x => x.Name == n) is { Name: not null } x
                ? string.Create(CultureInfo.InvariantCulture, $"{x.Reads:N0} · {x.Statements:N0} · {(x.Statements > 0 ? x.Ms / x.Statements : 0):F3}")
                : "–");
            var total = nodes.Sum(n => n.Statements);
            var standbys = nodes.Where(n => n.Name != "primary").Sum(n => n.Statements);
            md.AppendLine(CultureInfo.InvariantCulture, $"| {row.Name} | {string.Join(" | ", cells)} | {(total > 0 ? 100.0 * standbys / total : 0):F0} % |");
        }
        md.AppendLine();
        md.AppendLine("The primary, the standbys, the service and wrk share this machine's cores: a standby adds capacity only on its own " +
                      "hardware, so this run shows where reads went and that nothing regressed, not throughput scaling (on 2 cores it cannot). " +
                      "Requests with a WAL position to honour (the change feed's cursor) go to a node that has replayed it, else to the primary. " +
                      "No pgbench ceiling with standbys: it replays one server's statements.");
        md.AppendLine();
    }

    /// <summary>Horizontal bars, one per scenario, with the target as a tick; red when over the target.</summary>
    private static string Chart(string title, List<Row> rows)
    {
        const int Left = 330, Width = 420, Bar = 22, Gap = 12, Top = 50;
        var max = Math.Max(rows.Max(r => Math.Max(r.P99, r.Target)), 1) * 1.1;
        var height = Top + rows.Count * (Bar + Gap) + 30;
        var svg = new StringBuilder();
        svg.AppendLine(CultureInfo.InvariantCulture, $"""<svg xmlns="http://www.w3.org/2000/svg" width="{Left + Width + 110}" height="{height}" font-family="sans-serif" font-size="13">""");
        svg.AppendLine("""<rect width="100%" height="100%" fill="white"/>""");
        svg.AppendLine(CultureInfo.InvariantCulture, $"""<text x="10" y="24" font-size="16" font-weight="bold">p99 latency per scenario (ms), {Escape(title)}; tick = target</text>""");
        for (var i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            var y = Top + i * (Bar + Gap);
            var w = Math.Max(1, r.P99 / max * Width);
            var tx = Left + r.Target / max * Width;
            svg.AppendLine(CultureInfo.InvariantCulture, $"""<text x="{Left - 8}" y="{y + 16}" text-anchor="end">{Escape(r.Name)}</text>""");
            svg.AppendLine(CultureInfo.InvariantCulture, $"""<rect x="{Left}" y="{y}" width="{w:F1}" height="{Bar}" fill="{(r.P99 <= r.Target ? "#2e7d32" : "#c62828")}"/>""");
            svg.AppendLine(CultureInfo.InvariantCulture, $"""<line x1="{tx:F1}" x2="{tx:F1}" y1="{y - 3}" y2="{y + Bar + 3}" stroke="black" stroke-width="2"/>""");
            svg.AppendLine(CultureInfo.InvariantCulture, $"""<text x="{Left + Math.Max(w, tx - Left) + 6:F1}" y="{y + 16}">{r.P99:F1} (≤ {r.Target:F0})</text>""");
        }
        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal);

    [GeneratedRegex(@"tps = ([0-9.]+) \(without initial connection time\)")]
    private static partial Regex Tps();
}
