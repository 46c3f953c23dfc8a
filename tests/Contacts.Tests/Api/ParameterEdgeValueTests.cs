using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Contacts.Tests.Infrastructure;
using CsCheck;
using Xunit.Abstractions;

namespace Contacts.Tests.Api;

/// <summary>
/// No parameter value makes a 500: the edge values of every typed parameter (dates at the limits of the calendar and of
/// DateTime, seven fractional digits, offsets, integers past int32 and int64, repeated and empty values, control
/// characters, unpaired surrogates) answer 200, or 400 as problem+json naming only parameters that were sent.
/// A failure is shrunk by CsCheck and names its seed (rerun with the CsCheck_Seed environment variable).
/// </summary>
public abstract class ParameterEdgeValueTests(AppFixture fixture, ITestOutputHelper output)
{
    private const int Requests = 400;

    [SkippableTheory]
    [InlineData("updated_since=9999-12-31T23:59:59.9999999Z", HttpStatusCode.OK)]
    [InlineData("updated_since=9999-12-31T23:59:59.9999999%2B14:00", HttpStatusCode.OK)]
    [InlineData("updated_since=9999-12-31T23:59:59.999Z", HttpStatusCode.OK)]
    [InlineData("updated_since=9999-12-31", HttpStatusCode.OK)]
    [InlineData("updated_since=0001-01-01T00:00:00Z", HttpStatusCode.OK)]
    [InlineData("updated_since=0001-01-01T00:00:00.0000001-12:00", HttpStatusCode.OK)]
    [InlineData("updated_since=9999-12-31T23:59:59.9999999-12:00", HttpStatusCode.BadRequest)]
    [InlineData("updated_since=0001-01-01T00:00:00%2B14:00", HttpStatusCode.BadRequest)]
    [InlineData("updated_since=10000-01-01T00:00:00Z", HttpStatusCode.BadRequest)]
    [InlineData("updated_since=2025-09-15T08:30:00.12345678Z", HttpStatusCode.BadRequest)]
    [InlineData("page=2147483647&limit=100", HttpStatusCode.OK)]
    [InlineData("page=2147483648", HttpStatusCode.BadRequest)]
    [InlineData("page=99999999999999999999999999999999", HttpStatusCode.BadRequest)]
    [InlineData("tag_id=9223372036854775807", HttpStatusCode.OK)]
    [InlineData("tag_id=9223372036854775808", HttpStatusCode.BadRequest)]
    // Bytes that are not UTF-8 (here a lone surrogate's) are left percent-encoded by ASP.NET Core's decoding: a literal term.
    [InlineData("search=%ED%A0%80", HttpStatusCode.OK)]
    [InlineData("search=a%ED%B0%80b", HttpStatusCode.OK)]
    [InlineData("search=a%00b", HttpStatusCode.BadRequest)]
    public async Task EdgeValueAnswersItsStatusNotAnError(string query, HttpStatusCode expected)
    {
        var company = await fixture.Data.CompanyAsync();
        await fixture.Data.ContactAsync(company.Id, "Edge", email: "edge@x.test");
        using var client = fixture.App.ClientWithKey(company.Key);

        using var response = await client.GetAsync(new Uri($"{ContractAssert.ContactsPath}?{query}", UriKind.Relative));

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.BadRequest) await ContractAssert.ProblemAsync(response, expected);
        else Assert.Equal(JsonValueKind.Array, (await ContractAssert.JsonAsync(response)).GetProperty("data").ValueKind);
    }

    [SkippableFact]
    public async Task EveryMixOfEdgeValuesAnswers200Or400NeverAnError()
    {
        var company = await fixture.Data.CompanyAsync();
        var vip = await fixture.Data.TagAsync(company.Id, "VIP");
        await fixture.Data.ContactAsync(company.Id, "Jane", "Doe", "jane@x.test", updated: new DateTime(2025, 9, 15, 8, 30, 0, DateTimeKind.Utc), tags: [vip]);
        await fixture.Data.ContactAsync(company.Id, "Zoë", email: "zoe@x.test", updated: DateTime.MaxValue.AddTicks(-9999), tags: [vip]);
        await fixture.Data.ContactAsync(company.Id, "Old", email: "old@x.test", updated: new DateTime(1, 1, 1, 0, 0, 0, 1, DateTimeKind.Utc));
        using var client = fixture.App.ClientWithKey(company.Key);
        int ok = 0, rejected = 0;

        await EdgeValues.Request(vip).SampleAsync(async request =>
        {
            using var response = await client.GetAsync(new Uri(request.Url, UriKind.Relative));
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, $"{(int)response.StatusCode} for {request.Url}: {body}");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                Interlocked.Increment(ref ok);
                using var page = JsonDocument.Parse(body);
                Assert.Equal(JsonValueKind.Array, page.RootElement.GetProperty("data").ValueKind);
                return;
            }
            Interlocked.Increment(ref rejected);
            var problem = await ContractAssert.ProblemAsync(response, HttpStatusCode.BadRequest);
            var named = problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).ToList();
            Assert.NotEmpty(named);
            Assert.All(named, name => Assert.Contains(name, request.Names));
            Assert.All(named, name => Assert.Contains(name, EdgeValues.Known));
        }, iter: Requests, threads: 2, print: request => request.Url);

        output.WriteLine($"{fixture.Database.ProviderName}: {ok} answered 200, {rejected} answered 400 of {Requests}");
        // Both outcomes must be common, or the generator has drifted to testing only one side of the rules.
        Assert.True(ok > Requests / 10, $"only {ok} of {Requests} answered 200");
        Assert.True(rejected > Requests / 10, $"only {rejected} of {Requests} answered 400");
    }
}

public sealed class SqliteParameterEdgeValueTests(SqliteAppFixture fixture, ITestOutputHelper output)
    : ParameterEdgeValueTests(fixture, output), IClassFixture<SqliteAppFixture>;

public sealed class PostgresParameterEdgeValueTests(PostgresAppFixture fixture, ITestOutputHelper output)
    : ParameterEdgeValueTests(fixture, output), IClassFixture<PostgresAppFixture>;

/// <summary>A request to either endpoint: its URL and the parameter names it sends.</summary>
internal sealed record EdgeRequest(string Url, IReadOnlyList<string> Names);

/// <summary>Generators of query values, each from the type the parameter has and the edges of that type.</summary>
internal static class EdgeValues
{
    public static readonly string[] Known = ["page", "limit", "search", "updated_since", "tag_id"];

    private static Gen<string> OneOf(params string[] values) => Gen.OneOf<string>(values);

    /// <summary>Integers around the limits of int32 and int64, far past them, and in the forms the rule refuses.</summary>
    private static readonly Gen<string> Integer = Gen.Frequency(
        (4, Gen.Int[-3, 120].Select(Text)),
        (2, Gen.Int.Select(Text)),
        (2, Gen.Long.Select(Text)),
        (1, OneOf("2147483647", "2147483648", "-2147483648", "9223372036854775807", "9223372036854775808", "-9223372036854775809")),
        (1, Gen.Char['0', '9'].Array[20, 60].Select(digits => new string(digits))),
        (1, OneOf("", "0", "00", "01", "+1", "-0", " 1", "1 ", "1.0", "1e3", "0x1F", "%D9%A1", "%EF%BC%91", "1%00", "%0A")));

    /// <summary>Instants anywhere in DateTime's range, with 0 to 7 fractional digits and offsets at and past ±14:00.</summary>
    private static readonly Gen<string> Timestamp = Gen.Frequency(
        (6, Gen.Select(Gen.DateTime, Gen.Int[0, 8], Gen.Int[-16 * 60, 16 * 60], Gen.Int[0, 3], Instant)),
        (2, Gen.Select(Gen.Int[0, 10], Gen.Int[0, 8], Gen.Int[-16 * 60, 16 * 60], Gen.Int[0, 3], (edge, digits, offset, form) =>
            Instant(edge switch
            {
                < 5 => DateTime.MaxValue.AddTicks(-edge),
                _ => DateTime.MinValue.AddTicks(edge - 5),
            }, digits, offset, form))),
        (1, OneOf("", "0000-01-01", "10000-01-01T00:00:00Z", "2024-02-29", "2025-02-29", "2025-12-31T23:59:60Z", "2025-09-15T24:00:00Z",
            "2025-09-15T08:30:00.000z", "2025-09-15T08:30:00+1400", "2025-09-15 08:30", "%D9%A2%D9%A0%D9%A2%D9%A5-01-01", "1694764800",
            "2025-09-15T08:30:00Z%00")));

    /// <summary>Search terms of any length around the 200-character bound, from an alphabet of controls, surrogates and scripts.</summary>
    private static readonly Gen<string> Search = Gen.Frequency(
        (4, Gen.Frequency(
                (6, Gen.Char['a', 'z']), (1, Gen.Char['\0', '\x1f']), (1, Gen.Char['\x7f', '\x9f']), (1, Gen.Char['\ud800', '\udfff']),
                (1, Gen.Char['\u0400', '\u04ff']), (1, Gen.Const(' ')), (1, Gen.OneOf(Gen.Const('%'), Gen.Const('_'), Gen.Const('\\'))),
                (1, Gen.Char))
            .Array[0, 8].Select(chars => Encode(new string(chars)))),
        (1, Gen.Select(Gen.Int[195, 205], Gen.OneOf(Gen.Const("a"), Gen.Const("é"), Gen.Const("😀")), (n, unit) => Encode(string.Concat(Enumerable.Repeat(unit, n))))),
        (1, OneOf("", "%20", "%FF", "%C0%80", "%ED%A0%80%ED%B0%80", "%F4%90%80%80", "%EF%BF%BD", "%E2%80%AE", "%2B1%20(234)")));

    public static Gen<EdgeRequest> Request(long tagId)
    {
        var tag = Gen.Frequency((4, Integer), (1, Gen.Const(tagId.ToString(CultureInfo.InvariantCulture))));
        var pair = Gen.Frequency(
            (3, Integer.Select(v => ("page", v))),
            (3, Integer.Select(v => ("limit", v))),
            (3, Search.Select(v => ("search", v))),
            (4, Timestamp.Select(v => ("updated_since", v))),
            (3, tag.Select(v => ("tag_id", v))),
            (1, Search.Select(v => ("unknown", v))));
        // tag_id repeated up to past its bound of 50
        var many = Gen.Int[1, 60].Select(n => Enumerable.Range(1, n).Select(i => ("tag_id", Text(i))).ToArray());
        var pairs = Gen.Frequency((8, pair.Array[0, 4]), (1, many));
        return Gen.Select(Gen.Bool, pairs, (contacts, chosen) =>
        {
            var path = contacts ? ContractAssert.ContactsPath : ContractAssert.TagsPath;
            var query = string.Join("&", chosen.Select(p => $"{p.Item1}={p.Item2}"));
            var known = contacts ? Known : Known[..3];
            return new EdgeRequest(query.Length == 0 ? path : $"{path}?{query}",
                [.. chosen.Select(p => p.Item1).Where(known.Contains).Distinct()]);
        });
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Instant(DateTime at, int digits, int offsetMinutes, int form)
    {
        var text = form == 0
            ? at.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : at.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) +
              (digits == 0 ? "" : "." + at.ToString("fffffff", CultureInfo.InvariantCulture)[..Math.Min(digits, 7)] + (digits > 7 ? "9" : ""));
        var sign = offsetMinutes < 0 ? "-" : "+";
        var offset = Math.Abs(offsetMinutes);
        var zone = form switch
        {
            1 => "Z",
            2 => $"{sign}{offset / 60:00}:{offset % 60:00}",
            _ => "",
        };
        return Uri.EscapeDataString(text + zone);
    }

    /// <summary>Percent-encodes a term as UTF-8, except that an unpaired surrogate goes out as its three raw bytes (as a broken client would send it).</summary>
    private static string Encode(string term)
    {
        var bytes = new List<byte>();
        for (var i = 0; i < term.Length; i++)
        {
            var c = term[i];
            if (char.IsHighSurrogate(c) && i + 1 < term.Length && char.IsLowSurrogate(term[i + 1]))
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(term.Substring(i++, 2)));
            }
            else if (char.IsSurrogate(c))
            {
                bytes.AddRange([(byte)(0xE0 | (c >> 12)), (byte)(0x80 | ((c >> 6) & 0x3F)), (byte)(0x80 | (c & 0x3F))]);
            }
            else bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
        }
        return string.Concat(bytes.Select(b => $"%{b:X2}"));
    }
}
