using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Contacts.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Contacts.Tests.Trust;

/// <summary>
/// Thousands of hostile requests over raw sockets, generated from a fixed seed: every answer is one the contract
/// allows, none is a 5xx, none hangs, and the server answers a plain request afterwards. A share of them must get
/// through (200 with a page whose every row is the caller's own), so a service that refused everything would fail.
/// </summary>
public abstract class FuzzTests(AppFixture fixture, ITestOutputHelper output)
{
    private const int Seed = 20251127;
    private const int Cases = 3000;
    // Measured: 499 of the 3000 cases answer 200 with a valid page; a service that refused everything would give none.
    private const double MinimumOkShare = 0.10;
    private static readonly TimeSpan PerRequest = TimeSpan.FromSeconds(15);
    private static readonly int[] Allowed = [200, 400, 401, 405, 414, 431];

    private TestData Data => fixture.Data;

    [SkippableFact]
    public async Task HostileQueryStringsAndHeadersGetOnlyContractStatusesAndTheServerKeepsServing()
    {
        var company = await Data.CompanyAsync();
        var vip = await Data.TagAsync(company.Id, "50% off_sale");
        await Data.ContactAsync(company.Id, "O'Brien", "100% Pure_Joy", "o.brien@x.test", "+1 (555) 010-0199", tags: vip);
        await Data.ContactAsync(company.Id, "Robert'); DROP TABLE contact;--", "Tables", "bobby@x.test");
        await Data.ContactAsync(company.Id, "Zoë", "Back\\slash", "zoe@x.test");
        var generator = new CaseGenerator(company.Key, vip);
        // Another company's rows are there to be leaked: every row a 200 returns must be one of the caller's own.
        var other = await Data.CompanyAsync();
        var otherTag = await Data.TagAsync(other.Id, "50% off_sale");
        await Data.ContactAsync(other.Id, "O'Brien", "100% Pure_Joy", "o.brien@y.test", tags: otherTag);
        var ownIds = new HashSet<string>(StringComparer.Ordinal);
        using (var own = fixture.App.ClientWithKey(company.Key))
        {
            foreach (var path in new[] { "/api/v1/contacts?limit=100", "/api/v1/contacts/tags?limit=100" })
            {
                using var page = JsonDocument.Parse(await own.GetStringAsync(new Uri(path, UriKind.Relative)));
                // contact and tag ids are separate sequences: "5" may be both, so each id is kept with its list
                foreach (var row in page.RootElement.GetProperty("data").EnumerateArray()) ownIds.Add(ListOf(path) + row.GetProperty("id").GetString()!);
            }
        }
        Assert.Equal(4, ownIds.Count);
        var validOk = 0;

        var statuses = new ConcurrentDictionary<int, int>();
        var failures = new ConcurrentQueue<string>();
        var refusedByKestrel = 0;
        var clock = Stopwatch.StartNew();
        await Parallel.ForAsync(0, Cases, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (index, _) =>
        {
            // One Random per case: the cases are the same whatever order the workers take them in.
            var (kind, request) = generator.Build(new Random(Seed + index));
            var response = await RawHttp.SendAsync(fixture.App.Address, request, PerRequest);
            statuses.AddOrUpdate(response.Status, 1, (_, n) => n + 1);
            if (response.Status >= 400 && response.BodyLength == 0 && response.Header("Content-Length") == "0") Interlocked.Increment(ref refusedByKestrel);
            var problem = Check(response) ?? (response.Status == 200 ? CheckPage(response.Body, ownIds, ListOf(Encoding.Latin1.GetString(request, 0, Math.Min(64, request.Length)))) : null);
            if (response.Status == 200 && problem is null) Interlocked.Increment(ref validOk);
            if (problem is not null) failures.Enqueue($"case {index} ({kind}): {problem}; request {Describe(request)}");
        });
        clock.Stop();

        output.WriteLine($"{Cases} fuzz cases in {clock.Elapsed.TotalSeconds:0.0} s on {fixture.Database.ProviderName}, seed {Seed}: " +
                         string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Value}× {s.Key}")) +
                         $"; {refusedByKestrel} refused by Kestrel before the application (empty body); {validOk} valid pages");
        Assert.True(failures.IsEmpty, $"{failures.Count} of {Cases} cases failed:\n" + string.Join("\n", failures.Take(20)));
        Assert.Equal(Cases, statuses.Values.Sum());
        Assert.True(validOk >= Cases * MinimumOkShare, $"only {validOk} of {Cases} cases answered 200 with a valid page");

        using var client = fixture.App.ClientWithKey(company.Key);
        using var after = await client.GetAsync(new Uri("/api/v1/contacts?search=o%27brien", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Contains("Pure_Joy", await after.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static string? Check(RawResponse response)
    {
        if (response.Failure is not null) return response.Failure;
        if (!Allowed.Contains(response.Status)) return $"status {response.Status}";
        if (response.Header("Server") is not null) return "Server header present";
        // Kestrel's own 400/414/431 have an empty body and never reach the middleware; everything else says nosniff.
        if (response.BodyLength > 0 && response.Header("X-Content-Type-Options") != "nosniff") return "nosniff missing";
        return null;
    }

    /// <summary>A page: the envelope's members with their types, and rows whose ids are all the caller's.</summary>
    private static string ListOf(string requestStart) => requestStart.Contains("/contacts/tags", StringComparison.Ordinal) ? "tag " : "contact ";

    private static string? CheckPage(string body, HashSet<string> ownIds, string list)
    {
        try
        {
            using var page = JsonDocument.Parse(body);
            var root = page.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return "200 body is not an object";
            foreach (var member in new[] { "currentPage", "totalPages", "totalRecords" })
            {
                if (!root.TryGetProperty(member, out var value) || value.ValueKind != JsonValueKind.Number) return $"200 body lacks the number {member}";
            }
            if (!root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array) return "200 body lacks the array data";
            foreach (var row in data.EnumerateArray())
            {
                if (!row.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String) return "a row without a string id";
                if (!ownIds.Contains(list + id.GetString())) return $"row {id.GetString()} is not the caller's";
            }
            return null;
        }
        catch (JsonException e)
        {
            return "200 body is not JSON: " + e.Message;
        }
    }

    private static string Describe(byte[] request)
    {
        var text = Encoding.Latin1.GetString(request);
        return (text.Length > 300 ? text[..300] + $"… ({text.Length} bytes)" : text).ReplaceLineEndings("⏎");
    }
}

/// <summary>The hostile requests: each is built from one seeded Random.</summary>
internal sealed class CaseGenerator(string key, long tagId)
{
    private static readonly string[] Parameters = ["page", "limit", "search", "updated_since", "tag_id"];

    private static readonly string[] Sql =
    [
        "' OR '1'='1", "'; DROP TABLE contact; --", "1; SELECT pg_sleep(10)", "\" OR \"\"=\"", "1 UNION SELECT * FROM api_key",
        "%' OR company_id <> 0 --", "') OR 1=1 --", "\\'", "$$", "E'\\x00'", "/* */", "0x27", "CHAR(39)",
    ];

    private static readonly string[] Like = ["%", "_", "%%", "\\", "\\%", "a%b_c", "[a-z]", "*", "?", "^$", "50% off_sale", "%_%", "\\\\_"];

    private static readonly string[] InvalidUtf8 = ["%C3%28", "%ED%A0%80", "%F4%90%80%80", "%C0%AF", "%FF%FE", "%E2%82", "%80", "%F0%9F%98"];

    private static readonly string[] Odd =
    [
        "", "0", "-1", "+1", " 1", "1.0", "1e9", "1e999", "0x10", "NaN", "Infinity", "%EF%BC%91", "%D9%A1", "2147483647",
        "2147483648", "-2147483649", "9223372036854775808", "2025-02-30", "9999-12-31T23:59:59.9999999Z", "0001-01-01",
        "2025-09-01T10:00:00+25:00", "null", "true", "[]", "{}", "%00", "a%00b", "%0A", "%0D%0A", "%1F", "%7F", "%E2%80%AE",
        "o%27brien", "jos%C3%A9", "%F0%9F%98%80", "+", "%2B", "%20%20", "%2525",
    ];

    public (string Kind, byte[] Request) Build(Random r) => r.Next(8) switch
    {
        0 or 1 or 2 => ("query", Get(r, Query(r), Auth(key))),
        3 => ("query without key", Get(r, Query(r), [])),
        4 => ("headers", Get(r, Query(r), [.. Auth(key), .. Headers(r)])),
        5 => ("authorization", Get(r, Query(r), AuthorizationFuzz(r))),
        6 => ("long", Long(r)),
        _ => ("method or body", MethodOrBody(r)),
    };

    private static string Path(Random r) => r.Next(2) == 0 ? "/api/v1/contacts" : "/api/v1/contacts/tags";

    private static byte[] Get(Random r, byte[] query, IEnumerable<byte[]> headers) =>
        RawHttp.Request("GET", [.. Encoding.ASCII.GetBytes(Path(r)), .. query], headers);

    private static byte[][] Auth(string key) => [Encoding.ASCII.GetBytes("Authorization: Bearer " + key)];

    private byte[] Query(Random r)
    {
        var count = r.Next(7);
        if (count == 0) return [];
        var query = new List<byte>();
        for (var i = 0; i < count; i++)
        {
            query.Add((byte)(i == 0 ? '?' : r.Next(12) == 0 ? ';' : '&'));
            query.AddRange(r.Next(6) == 0 ? Value(r) : Encoding.ASCII.GetBytes(Pick(r, Parameters)));
            if (r.Next(15) != 0) query.Add((byte)'=');
            query.AddRange(Value(r));
        }
        return [.. query];
    }

    private byte[] Value(Random r) => r.Next(12) switch
    {
        0 => Encoding.ASCII.GetBytes(Pick(r, Odd)),
        1 => Encoding.ASCII.GetBytes(Digits(r, r.Next(10, 400))),
        2 => Encoding.ASCII.GetBytes(Uri.EscapeDataString(Pick(r, Sql))),
        3 => Encoding.ASCII.GetBytes(Uri.EscapeDataString(Pick(r, Like))),
        4 => Encoding.ASCII.GetBytes(Pick(r, InvalidUtf8)),
        5 => PercentEncoded(RandomBytes(r, r.Next(1, 60))),
        6 => RawBytes(r, r.Next(1, 40)),
        7 => Encoding.ASCII.GetBytes(tagId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        8 => Encoding.ASCII.GetBytes(r.Next(4) switch { 0 => "1", 1 => "100", 2 => "101", _ => r.Next(-5, 300).ToString(System.Globalization.CultureInfo.InvariantCulture) }),
        9 => Encoding.ASCII.GetBytes(new string('a', r.Next(150, 260))),
        10 => Encoding.ASCII.GetBytes(Uri.EscapeDataString(RandomText(r, r.Next(1, 30)))),
        _ => Encoding.ASCII.GetBytes(Uri.EscapeDataString(Pick(r, Like) + Pick(r, Sql))),
    };

    private static IEnumerable<byte[]> Headers(Random r)
    {
        var count = r.Next(1, 5);
        for (var i = 0; i < count; i++)
        {
            var name = r.Next(5) switch
            {
                0 => "X-" + new string('h', r.Next(1, 20)),
                1 => Pick(r, ["Accept", "Accept-Encoding", "Accept-Language", "Cookie", "If-None-Match", "Range", "Referer", "User-Agent"]),
                2 => Pick(r, ["X-Forwarded-For", "Forwarded", "X-Real-IP", "X-HTTP-Method-Override", "X-Original-URL"]),
                3 => Pick(r, ["Host", "Content-Type", "Expect", "Upgrade", "TE", "Trailer"]),
                _ => Encoding.Latin1.GetString(RawBytes(r, r.Next(1, 10))).Replace(":", "", StringComparison.Ordinal),
            };
            yield return [.. Encoding.Latin1.GetBytes(name + ": "), .. HeaderValue(r)];
        }
    }

    private static byte[] HeaderValue(Random r) => r.Next(6) switch
    {
        0 => RawBytes(r, r.Next(1, 200)),
        1 => Encoding.ASCII.GetBytes(new string('v', r.Next(1000, 16 * 1024))),
        2 => [0xC3, 0x28, 0xFF, 0xFE, 0xED, 0xA0, 0x80],
        3 => Encoding.ASCII.GetBytes(Pick(r, Sql)),
        4 => [(byte)'a', 0x00, (byte)'b'],
        _ => Encoding.ASCII.GetBytes(Pick(r, ["127.0.0.2", "unknown", "for=\"[::1]\"", "100-continue", "h2c", "*/*", "bytes=0-0", "DELETE", "-1"])),
    };

    private IEnumerable<byte[]> AuthorizationFuzz(Random r)
    {
        var header = r.Next(12) switch
        {
            0 => "Bearer " + new string('k', 16 * 1024),
            1 => "Bearer " + RandomToken(r, 16 * 1024),
            2 => "Bearer ck_" + Hex(r, 12) + "_" + Hex(r, 64),
            3 => "Bearer " + key[..^1] + (key[^1] == '0' ? '1' : '0'),
            4 => "Bearer " + key + Pick(r, ["x", " ", "\t", "%00", "'--", "\u00e9"]),
            5 => "bearer " + key,
            6 => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:" + key)),
            7 => Pick(r, ["Bearer", "Bearer ", "Bearer  ", "", "Bearer ck_", "Bearer ck__", "Bearer " + key.ToUpperInvariant()]),
            8 => "Bearer " + key.Replace("_", "%5F", StringComparison.Ordinal),
            9 => "Bearer " + Pick(r, Sql),
            10 => "Bearer " + key + "\u00ff",
            _ => "Bearer " + RandomToken(r, r.Next(1, 200)),
        };
        yield return Encoding.Latin1.GetBytes("Authorization: " + header);
        if (r.Next(4) == 0) yield return Encoding.ASCII.GetBytes("Authorization: Bearer " + key);
        if (r.Next(6) == 0) yield return [.. "Authorization: Bearer "u8, .. RawBytes(r, r.Next(1, 64))];
    }

    /// <summary>Near and past Kestrel's limits: an 8 KB request line and 32 KB of headers.</summary>
    private byte[] Long(Random r) => r.Next(4) switch
    {
        0 => Get(r, Encoding.ASCII.GetBytes("?search=" + new string('a', r.Next(7_000, 9_000))), Auth(key)),
        1 => Get(r, Encoding.ASCII.GetBytes("?" + string.Join('&', Enumerable.Repeat("tag_id=" + tagId, r.Next(100, 1100)))), Auth(key)),
        2 => Get(r, Encoding.ASCII.GetBytes("?page=" + Digits(r, r.Next(1_000, 9_000))), Auth(key)),
        _ => Get(r, [], [.. Auth(key), .. Enumerable.Range(0, r.Next(1, 4)).Select(i =>
            Encoding.ASCII.GetBytes($"X-Big-{i}: " + new string('b', r.Next(8_000, 16 * 1024))))]),
    };

    private byte[] MethodOrBody(Random r)
    {
        var method = Pick(r, ["POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "get", "FOO", "GET", "GET"]);
        var body = RandomBytes(r, r.Next(0, 1024));
        var headers = new List<byte[]>(Auth(key));
        if (r.Next(2) == 0)
        {
            headers.Add(Encoding.ASCII.GetBytes("Content-Length: " + body.Length));
            return RawHttp.Request(method, [.. Encoding.ASCII.GetBytes(Path(r)), .. Query(r)], headers, body);
        }
        headers.Add("Transfer-Encoding: chunked"u8.ToArray());
        var chunked = body.Length == 0
            ? "0\r\n\r\n"u8.ToArray()
            : [.. Encoding.ASCII.GetBytes($"{body.Length:x}\r\n"), .. body, .. "\r\n0\r\n\r\n"u8];
        return RawHttp.Request(method, [.. Encoding.ASCII.GetBytes(Path(r)), .. Query(r)], headers, chunked);
    }

    private static T Pick<T>(Random r, T[] items) => items[r.Next(items.Length)];

    private static string Digits(Random r, int length) =>
        string.Create(length, r, (span, random) => { for (var i = 0; i < span.Length; i++) span[i] = (char)('0' + random.Next(10)); });

    private static string Hex(Random r, int length) =>
        string.Create(length, r, (span, random) => { for (var i = 0; i < span.Length; i++) span[i] = "0123456789abcdef"[random.Next(16)]; });

    private static string RandomToken(Random r, int length) =>
        string.Create(length, r, (span, random) => { for (var i = 0; i < span.Length; i++) span[i] = (char)random.Next(0x21, 0x7F); });

    /// <summary>Any Unicode scalar values, including controls, combining marks and astral characters.</summary>
    private static string RandomText(Random r, int length)
    {
        var text = new StringBuilder();
        for (var i = 0; i < length; i++)
        {
            int scalar;
            do scalar = r.Next(4) == 0 ? r.Next(0, 0x80) : r.Next(0, 0x10FFFF);
            while (scalar is >= 0xD800 and <= 0xDFFF);
            text.Append(char.ConvertFromUtf32(scalar));
        }
        return text.ToString();
    }

    private static byte[] RandomBytes(Random r, int length)
    {
        var bytes = new byte[length];
        r.NextBytes(bytes);
        return bytes;
    }

    /// <summary>Random bytes as they are, except the few that would end the request line or the header (space, CR, LF).</summary>
    private static byte[] RawBytes(Random r, int length) =>
        RandomBytes(r, length).Select(b => b is (byte)' ' or (byte)'\r' or (byte)'\n' ? (byte)'x' : b).ToArray();

    private static byte[] PercentEncoded(byte[] bytes) => Encoding.ASCII.GetBytes(string.Concat(bytes.Select(b => $"%{b:X2}")));
}

/// <summary>Rate limits high enough never to trip: this test is about input, not volume.</summary>
public sealed class SqliteFuzzFixture : SqliteAppFixture
{
    protected override string[] Settings => HighLimits;

    internal static readonly string[] HighLimits =
    [
        "--RateLimits:PerKey:BucketSize=1000000", "--RateLimits:PerKey:PermitsPerSecond=1000000",
        "--RateLimits:FailedAuthPerAddress:BucketSize=1000000", "--RateLimits:FailedAuthPerAddress:PermitsPerSecond=1000000",
    ];
}

public sealed class PostgresFuzzFixture : PostgresAppFixture
{
    protected override string[] Settings => SqliteFuzzFixture.HighLimits;
}

public sealed class SqliteFuzzTests(SqliteFuzzFixture fixture, ITestOutputHelper output) : FuzzTests(fixture, output), IClassFixture<SqliteFuzzFixture>;

public sealed class PostgresFuzzTests(PostgresFuzzFixture fixture, ITestOutputHelper output) : FuzzTests(fixture, output), IClassFixture<PostgresFuzzFixture>;
