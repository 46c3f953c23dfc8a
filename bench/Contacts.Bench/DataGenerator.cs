using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Contacts.Demo;
using Contacts.Data.Import;

namespace Contacts.Bench;

/// <summary>
/// Writes one JSONL import file per company plus manifest.json (sizes, search terms). Deterministic: fixed seeds and a
/// fixed "now", so every run of a size produces byte-identical files.
/// Shape: one big company with 25% of the contacts, nine with ~5% each, the remaining 30% over many small companies.
/// </summary>
internal static class DataGenerator
{
    private static readonly DateTime Now = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    // (total contacts, number of small companies): large has "about a thousand" small tenants, smaller sizes scale down.
    private static readonly Dictionary<string, (int Total, int SmallCompanies)> Sizes = new()
    {
        ["tiny"] = (2_000, 20),
        ["small"] = (10_000, 100),
        ["medium"] = (100_000, 300),
        ["large"] = (1_000_000, 1_000),
        // Ten times large: a 2.5M-contact company, nine of 500k, and the small companies as in large (about 300 contacts
        // each), so ten times as many of them (issue 19 item 5: how cost grows with the company).
        ["xlarge"] = (10_000_000, 10_000),
    };

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static int Run(string size, string dir)
    {
        if (!Sizes.TryGetValue(size, out var shape))
        {
            Console.Error.WriteLine($"unknown size '{size}': use {string.Join(", ", Sizes.Keys)}");
            return 2;
        }
        var manifestPath = Path.Combine(dir, "manifest.json");
        var sizes = CompanySizes(shape.Total, shape.SmallCompanies);
        if (File.Exists(manifestPath))
        {
            var existing = Manifest.Read(dir);
            if (existing.TypeAhead is null)
            {
                // Data generated before the type-ahead scenarios: the big company's records are deterministic, so its
                // terms are derived again without rewriting the company files.
                File.WriteAllText(manifestPath, JsonSerializer.Serialize(WithTypeAhead(existing, sizes[0]), Manifest.Options));
                Console.Error.WriteLine($"generate: {manifestPath} exists, type-ahead terms added");
            }
            else
            {
                Console.Error.WriteLine($"generate: {manifestPath} exists, keeping the data");
            }
            return 0;
        }
        Directory.CreateDirectory(Path.Combine(dir, "companies"));

        var companies = new List<ManifestCompany>();
        var surnames = new Dictionary<string, int>(StringComparer.Ordinal);
        var phones = new List<string>();
        for (var i = 0; i < sizes.Count; i++)
        {
            var seed = BigSeed + i;
            var role = i == 0 ? "big" : i < 10 ? "medium" : "small";
            var tags = CompanyTags(seed);
            var file = Path.Combine("companies", $"{i:D4}.jsonl");
            string? term = null;
            using (var stream = new FileStream(Path.Combine(dir, file), FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            using (var writer = new Utf8JsonWriter(stream, WriterOptions))
            {
                foreach (var record in ContactGenerator.Contacts(seed, sizes[i], tags, Now))
                {
                    ImportJsonLines.Write(writer, record);
                    writer.Flush();
                    stream.WriteByte((byte)'\n');
                    writer.Reset();
                    term ??= record.LastName;
                    if (role == "big")
                    {
                        if (record.LastName is { } last) surnames[last] = surnames.GetValueOrDefault(last) + 1;
                        if (record.Line % 997 == 0 && phones.Count < 8 && record.PhoneNumber is { } phone) phones.Add(phone);
                    }
                }
            }
            companies.Add(new ManifestCompany($"bench-{role}-{i:D4}", file, sizes[i], tags.Count, role, term ?? "a"));
        }

        // Selective search: the rarest surnames of the big company (a few hundred hits at 1M, a handful at 10k).
        var rare = surnames.Where(s => s.Key.Length >= 4).OrderBy(s => s.Value).ThenBy(s => s.Key, StringComparer.Ordinal)
            .Take(4).Select(s => s.Key).ToList();
        // Phone search: six digits from the middle of real numbers, written as a person would type them.
        var fragments = phones.Select(p => new string(p.Where(char.IsAsciiDigit).ToArray())).Select(d => d.Substring(d.Length - 7, 6)).ToList();
        var manifest = WithTypeAhead(new Manifest(size, shape.Total, companies, rare, ["a", "e", "o", "n"], fragments), sizes[0]);
        File.WriteAllText(manifestPath, JsonSerializer.Serialize(manifest, Manifest.Options));
        Console.WriteLine($"generate: {shape.Total:N0} contacts in {companies.Count} companies -> {dir}");
        return 0;
    }

    private const int BigSeed = 1_000;

    // Only picks the tag count; the contacts come from ContactGenerator's own PRNG.
    private static List<ImportTag> CompanyTags(int seed) => [.. ContactGenerator.Tags(seed, new Random(seed).Next(20, 61))];

    /// <summary>
    /// What a search box on the big company receives: the most common first and last names of each script (Latin,
    /// Cyrillic, Arabic), typed one text element at a time up to five; real phone numbers typed as "+4", "+44" … (five
    /// keystrokes after the plus); and the two-letter beginnings of the common names.
    /// </summary>
    private static Manifest WithTypeAhead(Manifest manifest, int bigSize)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var phones = new List<string>();
        foreach (var record in ContactGenerator.Contacts(BigSeed, bigSize, CompanyTags(BigSeed), Now))
        {
            foreach (var name in new[] { record.FirstName, record.LastName })
                if (name is not null) counts[name] = counts.GetValueOrDefault(name) + 1;
            // Every 499th number, one per leading digit, so the typed prefixes do not repeat.
            if (record.Line % 499 == 0 && record.PhoneNumber is { } phone && phones.Count < 4
                && new string([.. phone.Where(char.IsAsciiDigit)]) is { Length: >= 5 } digits
                && phones.TrueForAll(p => p[0] != digits[0]))
                phones.Add(digits);
        }
        var names = new List<string>();
        var twoLetters = new List<string>();
        foreach (var script in new[] { "latin", "cyrillic", "arabic" })
        {
            var common = counts.Where(c => Script(c.Key) == script).OrderByDescending(c => c.Value)
                .ThenBy(c => c.Key, StringComparer.Ordinal).Take(6).Select(c => c.Key).ToList();
            names.AddRange(common);
            twoLetters.AddRange(common.Select(n => Prefix(n, 2)).Distinct(StringComparer.Ordinal).Take(4));
        }
        var phonePrefixes = phones.SelectMany(p => Enumerable.Range(1, 5).Select(n => "+" + p[..n])).ToList();
        return manifest with { TypeAhead = names, PhonePrefixes = phonePrefixes, TwoLetters = twoLetters };
    }

    /// <summary>The first n text elements (what a person has typed after n keystrokes).</summary>
    public static string Prefix(string text, int n)
    {
        var info = new StringInfo(text);
        return info.SubstringByTextElements(0, Math.Min(n, info.LengthInTextElements));
    }

    private static string Script(string name) => name[0] switch
    {
        >= '\u0400' and <= '\u04FF' => "cyrillic",
        >= '\u0600' and <= '\u06FF' => "arabic",
        <= '\u024F' when char.IsLetter(name[0]) => "latin",
        _ => "other",
    };

    /// <summary>25% + 9 x 5% + the rest over the small companies (sizes vary +-50% around their mean, summing exactly).</summary>
    private static List<int> CompanySizes(int total, int smallCount)
    {
        var sizes = new List<int> { total / 4 };
        for (var i = 0; i < 9; i++) sizes.Add(total / 20);
        var rest = total - sizes.Sum();
        var rng = new Random(42);
        var weights = Enumerable.Range(0, smallCount).Select(_ => 0.5 + rng.NextDouble()).ToList();
        var sum = weights.Sum();
        var small = weights.Select(w => Math.Max(1, (int)(rest * w / sum))).ToList();
        small[^1] += rest - small.Sum();
        sizes.AddRange(small);
        return sizes;
    }
}

internal sealed record ManifestCompany(string Name, string File, int Contacts, int Tags, string Role, string Term);

internal sealed record Manifest(string Size, int Total, List<ManifestCompany> Companies, List<string> RareSurnames,
    List<string> Letters, List<string> PhoneFragments, List<string>? TypeAhead = null, List<string>? PhonePrefixes = null,
    List<string>? TwoLetters = null)
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static Manifest Read(string dir) =>
        JsonSerializer.Deserialize<Manifest>(File.ReadAllText(Path.Combine(dir, "manifest.json")), Options)
        ?? throw new InvalidOperationException("empty manifest");
}
