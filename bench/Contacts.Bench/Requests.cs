using System.Globalization;

namespace Contacts.Bench;

/// <summary>
/// One file per scenario, one request per line ("key TAB path"); bench.lua cycles through them so that keys and
/// terms rotate. scenarios.tsv lists the scenarios in report order with their descriptions. With alone, only the
/// probe company's search (small-search) is written, for the database that holds that company alone.
/// </summary>
internal static class Requests
{
    private const string Contacts = "/api/v1/contacts";

    public const string IdleChanges = "changes-idle";
    public const string NoisyNeighbour = "noisy-neighbour";
    /// <summary>The neighbour's requests (not a scenario of its own: run.sh sends them beside <see cref="NoisyNeighbour"/>).</summary>
    public const string NoisyHeavy = "noisy-heavy";
    public const int NoisyConnections = 64;

    public const string ContactById = "contact-by-id";

    /// <summary>A page of 100 contacts, asked without Accept-Encoding, then for gzip, then for Brotli (issue 21).</summary>
    public const string Page100 = "page-100";

    /// <summary>The same pages asked again with the ETag each one had (run.sh writes it once the service runs): 304s.</summary>
    public const string Page100Unchanged = "page-100-304";

    private sealed record Company(string Role, int Contacts, string Term, List<string> Keys);

    private sealed record Scenario(string Name, string Description, List<string> Lines);

    public static int Run(string dataDir, string provider, string outDir, bool alone = false)
    {
        var manifest = Manifest.Read(dataDir);
        if (manifest.TypeAhead is null || manifest.PhonePrefixes is null || manifest.TwoLetters is null)
            throw new InvalidOperationException("manifest.json has no type-ahead terms: run `contacts-bench generate` again");
        var companies = File.ReadAllLines(Path.Combine(dataDir, $"keys-{provider}{(alone ? "-alone" : "")}.tsv"))
            .Select(l => l.Split('\t'))
            .Select(c => new Company(c[0], int.Parse(c[3], CultureInfo.InvariantCulture), c[4],
                // Keys files written before the extra keys have five columns.
                [c[2], .. c.Length > 5 ? c[5].Split(',', StringSplitOptions.RemoveEmptyEntries) : []]))
            .ToList();

        // The probe: the first small company, asked its own surname and the beginnings that are common in the big
        // company's data (whose index entries a shared index would make it read).
        var probe = companies.First(c => c.Role == "small");
        List<string> probeTerms =
        [
            probe.Term, DataGenerator.Prefix(probe.Term, 3),
            .. manifest.TypeAhead.Chunk(6).Select(names => DataGenerator.Prefix(names[0], 3)),
            "a", manifest.TwoLetters[0], manifest.PhonePrefixes[2],
        ];
        var probeSearch = new Scenario("small-search",
            $"small company search ({probe.Contacts} contacts: {string.Join(", ", probeTerms)})",
            Pair(probe.Keys, [.. probeTerms.Select(Search)]));
        if (alone)
        {
            Write(outDir, [probeSearch]);
            return 0;
        }

        var big = companies.First(c => c.Role == "big");
        var bigKey = big.Keys[0];
        var middle = (big.Contacts / 10 + 1) / 2;
        // One person per name, with their own key, typing it one text element at a time.
        var typed = manifest.TypeAhead
            .Select(name => Enumerable.Range(1, 5).Select(n => DataGenerator.Prefix(name, n)).Distinct(StringComparer.Ordinal))
            .Concat(manifest.PhonePrefixes.Chunk(5))
            .SelectMany((prefixes, person) => prefixes.Select(p => big.Keys[person % big.Keys.Count] + "\t" + Search(p)))
            .ToList();
        List<Scenario> scenarios =
        [
            new("list-first", "list page 1, big company", Pair([bigKey], [Contacts])),
            new("deep-page", $"deep page (page {middle:N0} of the big company, limit 10)",
                Pair([bigKey], [.. Enumerable.Range(0, 8).Select(i => $"{Contacts}?page={middle + i}&limit=10")])),
            new("search-selective", $"selective search, rare surnames ({string.Join(", ", manifest.RareSurnames)})",
                Pair([bigKey], [.. manifest.RareSurnames.Select(Search)])),
            new("search-broad", $"broad one-letter search ({string.Join(", ", manifest.Letters)})",
                Pair([bigKey], [.. manifest.Letters.Select(Search)])),
            new("search-phone", "phone-digits search (6 digits)", Pair([bigKey], [.. manifest.PhoneFragments.Select(Search)])),
            new("tags", "tags list with counts, big company", Pair([bigKey], [$"{Contacts}/tags"])),
            // Its lines hold ids read from the running service: `contacts-bench contact-ids` writes them.
            new(ContactById, "one contact by id (GET /api/v1/contacts/{id}), 2,000 random ids of the big company", []),
            .. Compressed(bigKey, big.Contacts),
            new(Page100Unchanged, "the same pages of 100 contacts, each with If-None-Match: its current ETag (answered 304)", []),
            new("type-ahead", $"type-ahead on the big company, {big.Keys.Count} keys: prefixes (1–5 characters) of " +
                $"{manifest.TypeAhead.Count} common Latin, Cyrillic and Arabic names and of phone numbers (+4, +44, …)", typed),
            new("two-letter", $"two-letter search on the big company ({string.Join(", ", manifest.TwoLetters)})",
                Pair(big.Keys, [.. manifest.TwoLetters.Select(Search)])),
        ];
        // Many small tenants, each asked one of four everyday questions, with its own key.
        var small = companies.Where(c => c.Role == "small").ToList();
        var mixed = small.Select((c, i) => (i % 4) switch
        {
            0 => Contacts,
            1 => $"{Contacts}?page=2&limit=10",
            2 => Search(c.Term),
            _ => $"{Contacts}/tags",
        }).ToList();
        scenarios.Add(new("mixed-small", $"mix over {small.Count} small companies, rotating keys (list, page 2, search, tags)",
            Pair([.. small.Select(c => c.Keys[0])], mixed)));
        // Issue 20's noisy neighbour: the same mix while one key of the big company pages through it with a date filter
        // (a count and an offset over the whole company per page), sent by a second wrk at 64 connections.
        scenarios.Add(new(NoisyNeighbour, $"the mix over {small.Count} small companies while one key of the big company sends " +
                                          $"{NoisyConnections} concurrent heavy pages (updated_since=2000-01-01&page=N&limit=100)",
            Pair([.. small.Select(c => c.Keys[0])], mixed)));
        Directory.CreateDirectory(outDir);
        File.WriteAllLines(Path.Combine(outDir, NoisyHeavy + ".tsv"), Pair([bigKey],
            [.. Enumerable.Range(1, Math.Max(1, big.Contacts / 100)).Select(page => $"{Contacts}?updated_since=2000-01-01&page={page}&limit=100")]));
        // Its lines hold each company's cursor at the end of its feed: `contacts-bench changes-cursors` writes them once the
        // service runs.
        scenarios.Add(new(IdleChanges, $"change feed, idle polls: {small.Count} small companies, each key with the cursor at " +
                                       "its feed's end (empty pages)", []));
        scenarios.Add(probeSearch);
        Write(outDir, scenarios);
        return 0;
    }

    /// <summary>
    /// page-100 three times, the same 8 pages of 100 contacts spread over the big company: identity, gzip, br (the third
    /// column of a line is the request's Accept-Encoding, the fourth its If-None-Match, bench.lua).
    /// </summary>
    private static IEnumerable<Scenario> Compressed(string key, int contacts)
    {
        var pages = Enumerable.Range(0, 8).Select(i => $"{Contacts}?page={1 + i * (contacts / 100 / 8)}&limit=100").ToList();
        foreach (var encoding in new[] { "", "gzip", "br" })
            yield return new Scenario(encoding == "" ? Page100 : $"{Page100}-{encoding}",
                $"a page of 100 contacts, big company, {(encoding == "" ? "no Accept-Encoding" : "Accept-Encoding: " + encoding)}",
                [.. Pair([key], pages).Select(line => encoding == "" ? line : line + "\t" + encoding)]);
    }

    private static string Search(string term) => $"{Contacts}?search={Uri.EscapeDataString(term)}";

    /// <summary>Keys and paths rotate independently, over the longer of the two lists.</summary>
    private static List<string> Pair(List<string> keys, List<string> paths) =>
        [.. Enumerable.Range(0, Math.Max(paths.Count, keys.Count)).Select(i => keys[i % keys.Count] + "\t" + paths[i % paths.Count])];

    private static void Write(string outDir, List<Scenario> scenarios)
    {
        Directory.CreateDirectory(outDir);
        foreach (var s in scenarios.Where(s => s.Lines.Count > 0)) File.WriteAllLines(Path.Combine(outDir, s.Name + ".tsv"), s.Lines);
        File.WriteAllLines(Path.Combine(outDir, "scenarios.tsv"), scenarios.Select(s => s.Name + "\t" + s.Description));
    }
}
