using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Contacts.Data;
using Contacts.Tests.Infrastructure;

namespace Contacts.Tests.Api;

/// <summary>
/// GET /api/v1/contacts/{id}: the contact exactly as its item in the list, a 404 that cannot tell an unknown id from
/// another company's, and a 400 for an id the API would never have written.
/// </summary>
public abstract class SingleContactTests(AppFixture fixture)
{
    protected TestData Data => fixture.Data;

    protected TestApp App => fixture.App;

    private static string Path(long id) => Path(id.ToString(CultureInfo.InvariantCulture));

    private static string Path(string id) => $"{ContractAssert.ContactsPath}/{id}";

    [SkippableFact]
    public async Task AContactIsExactlyItsItemInTheListTagsIncludedNotWrapped()
    {
        var company = await Data.CompanyAsync();
        var vip = await Data.TagAsync(company.Id, "VIP", "#1156d6");
        var plain = await Data.TagAsync(company.Id, "Без цвета");
        var jane = await Data.ContactAsync(company.Id, "Jane", "Doe", "jane@example.com", "1234567890", "lid-1",
            "https://cdn.example.com/avatars/jane.jpg", new DateTime(2025, 8, 1, 10, 0, 0, 123, DateTimeKind.Utc),
            new DateTime(2025, 9, 15, 8, 30, 0, DateTimeKind.Utc), plain, vip);
        var bare = await Data.ContactAsync(company.Id, first: null, phone: "+1 555 0101");
        var ivan = await Data.ContactAsync(company.Id, "Иван", "Петров", tags: [vip]);
        using var client = App.ClientWithKey(company.Key);
        using var list = JsonDocument.Parse(await client.GetStringAsync(ContractAssert.ContactsPath + "?limit=100"));
        var items = list.RootElement.GetProperty("data").EnumerateArray().ToList();

        foreach (var (id, index) in new[] { (jane, 0), (bare, 1), (ivan, 2) })
        {
            using var response = await client.GetAsync(new Uri(Path(id), UriKind.Relative));

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType!.ToString());
            ContractAssert.RevalidatedNotSniffedNoServer(response);
            Assert.Equal(items[index].GetRawText(), await response.Content.ReadAsStringAsync());
        }
    }

    [SkippableFact]
    public async Task AnUnknownIdAndAnotherCompanysIdAnswerTheSame404()
    {
        var mine = await Data.CompanyAsync();
        var other = await Data.CompanyAsync();
        await Data.ContactAsync(mine.Id, "Mine");
        var theirs = await Data.ContactAsync(other.Id, "Theirs", "Secret", "theirs@x.test");
        var deleted = await Data.ContactAsync(mine.Id, "Gone");
        await DeleteContactAsync(deleted);
        using var client = App.ClientWithKey(mine.Key);

        var answers = new List<(string Body, string Headers)>();
        foreach (var id in new[] { theirs, deleted, theirs + 1_000_000, long.MaxValue })
        {
            using var response = await client.GetAsync(new Uri(Path(id), UriKind.Relative));
            var problem = await ContractAssert.ProblemAsync(response, HttpStatusCode.NotFound);
            ContractAssert.NotCachedNotSniffedNoServer(response);
            answers.Add((WithoutTraceId(problem), Headers(response)));
        }

        Assert.Single(answers.Distinct());
        Assert.DoesNotContain("Theirs", answers[0].Body, StringComparison.Ordinal);
        // The other company still reads its own contact.
        using var theirClient = App.ClientWithKey(other.Key);
        using var own = await theirClient.GetAsync(new Uri(Path(theirs), UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
    }

    [SkippableTheory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("+1")]
    [InlineData("%201")]
    [InlineData("1%20")]
    [InlineData("%2B1")]
    [InlineData("01")]
    [InlineData("1.0")]
    [InlineData("1e3")]
    [InlineData("0x1F")]
    [InlineData("9223372036854775808")]
    [InlineData("99999999999999999999")]
    [InlineData("%D9%A3")] // ٣, ARABIC-INDIC DIGIT THREE
    [InlineData("%EF%BC%91")] // １, FULLWIDTH DIGIT ONE
    public async Task AnIdTheApiWouldNeverHaveWrittenIs400NamingIt(string id)
    {
        var company = await Data.CompanyAsync();
        await Data.ContactAsync(company.Id, "Someone");
        using var client = App.ClientWithKey(company.Key);

        using var response = await client.GetAsync(new Uri(Path(id), UriKind.Relative));

        var problem = await ContractAssert.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("id", out _), problem.ToString());
        ContractAssert.NotCachedNotSniffedNoServer(response);
    }

    [SkippableFact]
    public async Task ItNeedsAKeyLikeTheListAndIsRateLimitedLikeIt()
    {
        var company = await Data.CompanyAsync();
        var id = await Data.ContactAsync(company.Id, "Jane");

        using var anonymous = await App.Client.GetAsync(new Uri(Path(id), UriKind.Relative));
        await ContractAssert.ProblemAsync(anonymous, HttpStatusCode.Unauthorized);
        Assert.Equal("Bearer", Assert.Single(anonymous.Headers.WwwAuthenticate).Scheme);
        // Authentication comes before the id is read: a stranger learns nothing from a malformed one either.
        using var anonymousMalformed = await App.Client.GetAsync(new Uri(Path("abc"), UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymousMalformed.StatusCode);

        using var client = App.ClientWithKey(company.Key);
        using var response = await client.GetAsync(new Uri(Path(id), UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        foreach (var header in new[] { "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset" })
            Assert.True(response.Headers.Contains(header), $"{header} is missing");
    }

    [SkippableFact]
    public async Task AnEditSeenByTheListIsSeenByTheSingleContact()
    {
        var company = await Data.CompanyAsync();
        var id = await Data.ContactAsync(company.Id, "Before");
        var tag = await Data.TagAsync(company.Id, "Later", "#000000");
        using var client = App.ClientWithKey(company.Key);
        Assert.Empty((await JsonAsync(client, Path(id)))["tags"]!.AsArray());

        await Data.TagContactAsync(company.Id, id, tag);

        var after = await JsonAsync(client, Path(id));
        Assert.Equal("Later", (string?)Assert.Single(after["tags"]!.AsArray())!["name"]);
    }

    private static async Task<JsonNode> JsonAsync(HttpClient client, string path) =>
        JsonNode.Parse(await client.GetStringAsync(new Uri(path, UriKind.Relative)))!;

    private static string WithoutTraceId(JsonElement problem)
    {
        var body = JsonNode.Parse(problem.GetRawText())!.AsObject();
        Assert.True(body.Remove("traceId"));
        return body.ToJsonString();
    }

    /// <summary>Every header and its value, but those that differ from request to request by design.</summary>
    private static string Headers(HttpResponseMessage response)
    {
        string[] perRequest = ["Date", "X-Request-Id", "RateLimit-Remaining", "RateLimit-Reset"];
        return string.Join("\n", response.Headers.Concat(response.Content.Headers)
            .OrderBy(h => h.Key, StringComparer.OrdinalIgnoreCase)
            .Select(h => perRequest.Contains(h.Key, StringComparer.OrdinalIgnoreCase) ? h.Key : $"{h.Key}: {string.Join(", ", h.Value)}"));
    }

    private async Task DeleteContactAsync(long id)
    {
        var db = fixture.Database.Db;
        await using var connection = await db.OpenAsync();
        await using var command = db.Command(connection, "DELETE FROM contact WHERE id = @id");
        ContactsDatabase.AddParameter(command, "@id", id);
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }
}

public sealed class SqliteSingleContactTests(SqliteAppFixture fixture) : SingleContactTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class PostgresSingleContactTests(PostgresAppFixture fixture) : SingleContactTests(fixture), IClassFixture<PostgresAppFixture>;
