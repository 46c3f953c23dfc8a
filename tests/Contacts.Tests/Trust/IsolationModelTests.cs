using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Contacts.Data;
using Contacts.Tests.Infrastructure;
using CsCheck;
using Xunit.Abstractions;

namespace Contacts.Tests.Trust;

/// <summary>
/// Model-based isolation and search test: random companies (names in many scripts, tag names shared across
/// companies) and random requests; every answer of the real service over HTTP must equal what a plain in-memory
/// reference of the README's contract computes from the same data. A failure shrinks to a small scenario;
/// rerun it with the printed seed (CsCheck_Seed environment variable).
/// </summary>
public abstract class IsolationModelTests(AppFixture fixture, ITestOutputHelper output)
{
    private const int Scenarios = 30;

    [SkippableFact]
    public async Task EveryAnswerEqualsTheReferenceModelOfTheContract()
    {
        Ci.SkipIf(fixture.SkipReason is not null, fixture.SkipReason);
        long scenarios = 0, requests = 0;
        Func<Scenario, Task> check = async scenario =>
        {
            requests += await CheckAsync(scenario);
            scenarios++;
        };
        if (Environment.GetEnvironmentVariable("CsCheck_Seed") is { Length: > 0 })
        {
            await Model.Scenario.SampleAsync(check, iter: 1, threads: 1, print: Model.Print); // replays that seed, then shrinks
            return;
        }
        // Fixed seeds by default, so every run checks the same scenarios; the first failing one is then shrunk by
        // CsCheck (further random scenarios smaller than it), and the exception names the smallest and its seed.
        for (ulong i = 1; i <= Scenarios; i++)
        {
            var seed = new PCG(1, i).ToString();
            try
            {
                await Model.Scenario.SampleAsync(check, seed: seed, iter: 1, threads: 1, print: Model.Print);
            }
            catch (Exception)
            {
                await Model.Scenario.SampleAsync(check, seed: seed, iter: 300, time: 60, threads: 1, print: Model.Print);
                throw;
            }
        }
        output.WriteLine($"{fixture.Database.ProviderName}: {scenarios} scenarios, {requests} requests " +
                         $"({requests * 2} HTTP answers: contacts and tags) equal to the reference model");
    }

    /// <summary>Writes the scenario's companies into the database, then checks each request on both endpoints.</summary>
    private async Task<int> CheckAsync(Scenario scenario)
    {
        var companies = new List<StoredCompany>();
        foreach (var spec in scenario.Companies) companies.Add(await StoreAsync(spec));
        foreach (var request in scenario.Requests)
        {
            var company = companies[request.Company];
            using var client = fixture.App.ClientWithKey(company.Key);
            var query = Query(request);
            Assert.Equal(Reference.Contacts(company, request), await ActualAsync(client, "/api/v1/contacts" + query, ContactRow));
            Assert.Equal(Reference.Tags(company, request), await ActualAsync(client, "/api/v1/contacts/tags" + query, TagRow));
        }
        return scenario.Requests.Length;
    }

    private async Task<StoredCompany> StoreAsync(CompanySpec spec)
    {
        var data = fixture.Data;
        var company = await data.CompanyAsync();
        var tags = new List<StoredTag>();
        foreach (var tag in spec.Tags)
            tags.Add(new StoredTag(await data.TagAsync(company.Id, tag.Name, tag.Color, Model.Epoch), tag.Name, tag.Color));
        var contacts = new List<StoredContact>();
        foreach (var c in spec.Contacts)
        {
            var own = c.Tags.Select(i => tags[i]).OrderBy(t => t.Id).ToList();
            var id = await data.ContactAsync(company.Id, c.First, c.Last, c.Email, c.Phone, c.Lid, c.Picture, c.Created, c.Updated,
                [.. own.Select(t => t.Id)]);
            contacts.Add(new StoredContact(id, c, own));
        }
        return new StoredCompany(company.Key, contacts, tags);
    }

    private static string Query(RequestSpec request)
    {
        var query = $"?page={request.Page}&limit={request.Limit}";
        return request.Search is null ? query : query + "&search=" + Uri.EscapeDataString(request.Search);
    }

    private static async Task<Answer> ActualAsync(HttpClient client, string path, Func<JsonElement, string> row)
    {
        using var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path} answered {(int)response.StatusCode}: {body}");
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        return new Answer(root.GetProperty("data").EnumerateArray().Select(row).ToList(),
            root.GetProperty("totalRecords").GetInt64(), root.GetProperty("totalPages").GetInt64());
    }

    private static readonly string[] ContactFields =
        ["first_name", "last_name", "email", "phone_number", "phone_number_lid", "profile_picture", "created_at", "updated_at"];

    private static string ContactRow(JsonElement c) => Reference.ContactRow(
        c.GetProperty("id").GetString()!, [.. ContactFields.Select(p => c.GetProperty(p).GetString())],
        c.GetProperty("tags").EnumerateArray().Select(t => (t.GetProperty("id").GetString()!, t.GetProperty("name").GetString()!, t.GetProperty("color").GetString())));

    private static string TagRow(JsonElement t) => Reference.TagRow(t.GetProperty("id").GetString()!, t.GetProperty("name").GetString()!,
        t.GetProperty("color").GetString(), t.GetProperty("created_at").GetString()!, t.GetProperty("_count").GetProperty("contact_tag").GetInt64());
}

public sealed class SqliteIsolationModelTests(SqliteAppFixture fixture, ITestOutputHelper output)
    : IsolationModelTests(fixture, output), IClassFixture<SqliteAppFixture>;

public sealed class PostgresIsolationModelTests(PostgresAppFixture fixture, ITestOutputHelper output)
    : IsolationModelTests(fixture, output), IClassFixture<PostgresAppFixture>;

public sealed record TagSpec(string Name, string? Color);
public sealed record ContactSpec(string? First, string? Last, string? Email, string? Phone, string? Lid, string? Picture,
    DateTime Created, DateTime Updated, int[] Tags);
public sealed record CompanySpec(TagSpec[] Tags, ContactSpec[] Contacts);
public sealed record RequestSpec(int Company, int Page, int Limit, string? Search);
public sealed record Scenario(CompanySpec[] Companies, RequestSpec[] Requests);

internal sealed record StoredTag(long Id, string Name, string? Color);
internal sealed record StoredContact(long Id, ContactSpec Spec, List<StoredTag> Tags);
internal sealed record StoredCompany(string Key, List<StoredContact> Contacts, List<StoredTag> Tags);

/// <summary>One page as compared: each row rendered as one line, plus the totals.</summary>
internal sealed record Answer(List<string> Rows, long TotalRecords, long TotalPages)
{
    public bool Equals(Answer? other) =>
        other is not null && Rows.SequenceEqual(other.Rows) && TotalRecords == other.TotalRecords && TotalPages == other.TotalPages;

    public override int GetHashCode() => HashCode.Combine(Rows.Count, TotalRecords, TotalPages);

    public override string ToString() =>
        $"totalRecords={TotalRecords} totalPages={TotalPages}\n  " + string.Join("\n  ", Rows);
}

/// <summary>
/// The contract (README "Query parameters", "Search on contacts/tags") over in-memory data. Whether a text contains a
/// term comes from <see cref="SearchOracle"/> (ICU's collation, not the product's folding); only the phone rule's
/// digits are borrowed from the product (SearchText.Digits/IsPhoneLike); matching, ordering, paging, tag counts and the
/// company filter are written out here.
/// </summary>
internal static class Reference
{
    public static Answer Contacts(StoredCompany company, RequestSpec request)
    {
        var term = Term(request.Search);
        var matches = company.Contacts.Where(c => term is null || Matches(c, term)).OrderBy(c => c.Id).ToList();
        return Page(matches, request, c => ContactRow(Id(c.Id),
            [c.Spec.First, c.Spec.Last, c.Spec.Email, c.Spec.Phone, c.Spec.Lid, c.Spec.Picture, Time(c.Spec.Created), Time(c.Spec.Updated)],
            c.Tags.Select(t => (Id(t.Id), t.Name, t.Color))));
    }

    public static Answer Tags(StoredCompany company, RequestSpec request)
    {
        var term = Term(request.Search);
        var matches = company.Tags.Where(t => term is null || SearchOracle.Contains(t.Name, term))
            .OrderBy(t => t.Id).ToList();
        return Page(matches, request, t => TagRow(Id(t.Id), t.Name, t.Color, Time(Model.Epoch),
            company.Contacts.Count(c => c.Tags.Any(own => own.Id == t.Id))));
    }

    /// <summary>Trimmed, empty means no filter, NFC (README "Query parameters", docs/decisions.md).</summary>
    private static string? Term(string? search) =>
        search?.Trim() is { Length: > 0 } trimmed ? trimmed.Normalize(NormalizationForm.FormC) : null;

    private static bool Matches(StoredContact contact, string term)
    {
        var c = contact.Spec;
        string?[] texts = [c.First, c.Last, $"{c.First} {c.Last}", c.Email, c.Phone, c.Lid, .. contact.Tags.Select(t => t.Name)];
        if (texts.Any(t => SearchOracle.Contains(t, term))) return true;
        if (!SearchText.IsPhoneLike(term)) return false;
        var digits = SearchText.Digits(term);
        return SearchText.Digits(c.Phone).Contains(digits, StringComparison.Ordinal) && c.Phone is not null
            || SearchText.Digits(c.Lid).Contains(digits, StringComparison.Ordinal) && c.Lid is not null;
    }

    private static Answer Page<T>(List<T> matches, RequestSpec request, Func<T, string> row) =>
        new([.. matches.Skip((request.Page - 1) * request.Limit).Take(request.Limit).Select(row)],
            matches.Count, (matches.Count + request.Limit - 1) / request.Limit);

    public static string ContactRow(string id, string?[] fields, IEnumerable<(string Id, string Name, string? Color)> tags) =>
        $"{id} [{string.Join(" | ", fields.Select(Show))}] tags: {string.Join(", ", tags.Select(t => $"{t.Id}:{Show(t.Name)}:{Show(t.Color)}"))}";

    public static string TagRow(string id, string name, string? color, string createdAt, long count) =>
        $"{id}:{Show(name)}:{Show(color)}:{createdAt} x{count}";

    private static string Show(string? value) => value is null ? "null" : JsonSerializer.Serialize(value);
    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);
    private static string Time(DateTime utc) => UtcTimestampConverter.ToWire(utc);
}

/// <summary>The generators: one Gen for a whole scenario, so that CsCheck shrinks data and requests together.</summary>
internal static class Model
{
    public static readonly DateTime Epoch = new(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private static readonly string[] Latin = Runes("abcdefghijklmnoprstuvwyzABCDEFGHJKLMNOPRSTUVZáéíóúàèçñöüãõâêåøłßæœÁÉÖÜÇÑŁØđıİ");
    private static readonly string[] Cyrillic = Runes("абвгдеёжзийклмнопрстуфхцчшщыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТ");
    private static readonly string[] Greek = Runes("αβγδεζηθικλμνξοπρστυφχψωάέήίόύώςΑΒΓΔΕΣΩΆΈΌ");
    private static readonly string[] Cjk = Runes("王李张刘陈杨黄赵田中山本佐藤鈴木高橋あいうえおかきくけこアイウエオ김이박");
    private static readonly string[] Arabic = Runes("محمدعليأحمدفاطمةحسنيوسف");
    private static readonly string[] Emoji = Runes("😀🎉🚀🌍👍🔥");
    private static readonly string[] Ascii = Runes("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 '-._%\\");
    private static readonly string[] Noise = Runes("%_\\ab eé-+().1９％＿＼'\"*?[]^$");

    private static string[] Runes(string s) => [.. s.EnumerateRunes().Select(r => r.ToString())];

    private static Gen<string> Word(string[] alphabet, int min, int max) =>
        Gen.OneOf(alphabet).Array[min, max].Select(parts => string.Concat(parts));

    /// <summary>A name in one script (ASCII most often), trimmed and never blank.</summary>
    private static readonly Gen<string> Name = Gen.Frequency(
            (4, Word(Ascii, 1, 8)), (3, Word(Latin, 1, 8)), (2, Word(Cyrillic, 1, 8)), (2, Word(Greek, 1, 8)),
            (1, Word(Cjk, 1, 4)), (1, Word(Arabic, 1, 6)), (1, Word(Emoji, 1, 3)))
        .Select(s => s.Trim()).Where(s => s.Length > 0);

    private static Gen<string?> OrNull(Gen<string> gen) => Gen.Select(Gen.Int[0, 4], gen, (i, s) => i == 0 ? null : s);

    private static readonly Gen<string> Digits = Gen.OneOf(Runes("0123456789")).Array[6, 12].Select(d => string.Concat(d));

    private static readonly Gen<string> Phone = Gen.Select(Digits, Gen.Int[0, 3], (d, style) => style switch
    {
        0 => d,
        1 => "+" + d,
        2 => $"+{d[..2]} ({d[2..5]}) {d[5..]}",
        _ => $"{d[..3]}-{d[3..]}",
    });

    private static readonly Gen<string> Email = Gen.Select(Word(Runes("abcdefghij0123._%+-"), 1, 8), Word(Runes("abcxyzü"), 1, 5),
        (local, domain) => $"{local}@{domain}.test");

    private static readonly Gen<string> Color = Gen.Int[0, 0xffffff].Select(c => "#" + c.ToString("x6", CultureInfo.InvariantCulture));

    private static Gen<CompanySpec> Company(string[] tagPool) =>
        Gen.Select(Gen.Int[0, tagPool.Length - 1].Array[0, 5], Gen.Bool.Array[tagPool.Length], OrNull(Color).Array[tagPool.Length],
                (picks, upper, colors) => picks.Distinct()
                    .Select(i => new TagSpec(upper[i] ? tagPool[i].ToUpperInvariant() : tagPool[i], colors[i]))
                    .DistinctBy(t => SearchText.Fold(t.Name)).ToArray())
            .SelectMany(tags => Contact(tags.Length).Array[0, 10].Select(contacts => new CompanySpec(tags, contacts)));

    private static Gen<ContactSpec> Contact(int tagCount) =>
        Gen.Select(OrNull(Name), OrNull(Name), OrNull(Email), OrNull(Phone), OrNull(Digits.Select(d => d + "0123")),
            OrNull(Gen.Int[1, 99].Select(n => $"https://cdn.example.test/{n}.jpg")),
            Gen.Select(Gen.Int[0, 1_000_000_000], Gen.Int[0, 100_000_000]),
            tagCount == 0 ? Gen.Const(Array.Empty<int>()) : Gen.Int[0, tagCount - 1].Array[0, 3].Select(t => t.Distinct().ToArray()),
            (first, last, email, phone, lid, picture, times, tags) => new ContactSpec(first, last, email, phone, lid, picture,
                Epoch.AddMilliseconds(times.Item1), Epoch.AddMilliseconds(times.Item1 + (long)times.Item2), tags));

    public static readonly Gen<Scenario> Scenario =
        Name.Array[1, 6]
            .SelectMany(pool => Company(pool).Array[1, 3])
            .SelectMany(companies => Request(companies).Array[2, 12].Select(requests => new Scenario(companies, requests)));

    private static Gen<RequestSpec> Request(CompanySpec[] companies)
    {
        // Terms come from every company's data, so a request also looks for other companies' rows.
        var texts = companies.SelectMany(c => c.Tags.Select(t => t.Name).Concat(c.Contacts.SelectMany(x =>
            new[] { x.First, x.Last, x.First is null || x.Last is null ? null : $"{x.First} {x.Last}", x.Email, x.Phone, x.Lid })))
            .OfType<string>().ToArray();
        var phones = companies.SelectMany(c => c.Contacts.SelectMany(x => new[] { x.Phone, x.Lid })).OfType<string>().ToArray();
        var fromData = texts.Length == 0 ? Word(Noise, 1, 6)
            : Gen.Select(Gen.OneOf(texts), Gen.Int[0, 100], Gen.Int[1, 100], Gen.Int[0, 4], Variant);
        var phoneFragment = phones.Length == 0 ? Word(Noise, 1, 6)
            : Gen.Select(Gen.OneOf(phones), Gen.Int[0, 100], Gen.Int[2, 100], Gen.Int[0, 3], PhoneFragment);
        var search = Gen.Frequency(
            (2, Gen.Const((string?)null)), (6, fromData.Select(s => (string?)s)), (2, phoneFragment.Select(s => (string?)s)),
            (2, Word(Noise, 1, 6).Select(s => (string?)s)), (1, Gen.OneOf<string?>(["", "  ", " x "])));
        return Gen.Select(Gen.Int[0, companies.Length - 1], Gen.Frequency((6, Gen.Int[1, 3]), (1, Gen.Int[4, 50])),
            Gen.OneOf(1, 2, 3, 5, 10, 100), search, (company, page, limit, term) => new RequestSpec(company, page, limit, term));
    }

    /// <summary>A substring (whole characters) of a stored text, as typed: unchanged, upper-case, lower-case, accents off or on.</summary>
    private static string Variant(string text, int start, int length, int variant)
    {
        var runes = Runes(text);
        start %= runes.Length;
        var part = string.Concat(runes.Skip(start).Take(1 + (length - 1) % (runes.Length - start)));
        return variant switch
        {
            1 => part.ToUpperInvariant(),
            2 => part.ToLowerInvariant(),
            3 => string.Concat(part.Normalize(NormalizationForm.FormD).Where(c => CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)),
            4 => part.Replace('a', 'á').Replace('e', 'è').Replace('o', 'ö').Replace('u', 'ü').Replace('n', 'ñ').Replace('c', 'ç'),
            _ => part,
        };
    }

    /// <summary>Some of a phone's digits, punctuated the way people type them.</summary>
    private static string PhoneFragment(string phone, int start, int length, int style)
    {
        var digits = SearchText.Digits(phone);
        start %= digits.Length;
        var part = digits.Substring(start, Math.Min(length, digits.Length - start));
        return style switch
        {
            1 => "+" + part,
            2 when part.Length > 3 => $"({part[..3]}) {part[3..]}",
            3 when part.Length > 2 => $"{part[..2]}-{part[2..]}.",
            _ => part,
        };
    }

    private static readonly JsonSerializerOptions Readable = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Print(Scenario s) => JsonSerializer.Serialize(s, Readable);
}
