using System.Globalization;

namespace Contacts.Bench;

/// <summary>
/// One file per scenario, one request per line ("key TAB path"); bench.lua cycles through them so that keys and
/// terms rotate. scenarios.tsv lists the scenarios in report order with their descriptions.
/// </summary>
internal static class Requests
{
    public static int Run(string dataDir, string provider, string outDir)
    {
        var manifest = Manifest.Read(dataDir);
        var companies = File.ReadAllLines(Path.Combine(dataDir, $"keys-{provider}.tsv")).Select(l => l.Split('\t')).ToList();
        var big = companies.First(c => c[0] == "big");
        var bigKey = big[2];
        var bigContacts = int.Parse(big[3], CultureInfo.InvariantCulture);
        var middle = (bigContacts / 10 + 1) / 2;
        const string Contacts = "/api/v1/contacts";

        var scenarios = new List<(string Name, string Description, List<string> Paths, List<string> Keys)>
        {
            ("list-first", "list page 1, big company", [Contacts], [bigKey]),
            ("deep-page", $"deep page (page {middle:N0} of the big company, limit 10)",
                [.. Enumerable.Range(0, 8).Select(i => $"{Contacts}?page={middle + i}&limit=10")], [bigKey]),
            ("search-selective", $"selective search, rare surnames ({string.Join(", ", manifest.RareSurnames)})",
                [.. manifest.RareSurnames.Select(s => $"{Contacts}?search={Uri.EscapeDataString(s)}")], [bigKey]),
            ("search-broad", $"broad one-letter search ({string.Join(", ", manifest.Letters)})",
                [.. manifest.Letters.Select(s => $"{Contacts}?search={s}")], [bigKey]),
            ("search-phone", "phone-digits search (6 digits)",
                [.. manifest.PhoneFragments.Select(s => $"{Contacts}?search={s}")], [bigKey]),
            ("tags", "tags list with counts, big company", [$"{Contacts}/tags"], [bigKey]),
        };
        // Many small tenants, each asked one of four everyday questions, with its own key.
        var small = companies.Where(c => c[0] == "small").ToList();
        var mixed = small.Select((c, i) => (i % 4) switch
        {
            0 => Contacts,
            1 => $"{Contacts}?page=2&limit=10",
            2 => $"{Contacts}?search={Uri.EscapeDataString(c[4])}",
            _ => $"{Contacts}/tags",
        }).ToList();
        scenarios.Add(("mixed-small", $"mix over {small.Count} small companies, rotating keys (list, page 2, search, tags)",
            mixed, [.. small.Select(c => c[2])]));

        Directory.CreateDirectory(outDir);
        foreach (var (name, _, paths, keys) in scenarios)
        {
            var count = Math.Max(paths.Count, keys.Count);
            File.WriteAllLines(Path.Combine(outDir, name + ".tsv"),
                Enumerable.Range(0, count).Select(i => keys[i % keys.Count] + "\t" + paths[i % paths.Count]));
        }
        File.WriteAllLines(Path.Combine(outDir, "scenarios.tsv"), scenarios.Select(s => s.Name + "\t" + s.Description));
        return 0;
    }
}
