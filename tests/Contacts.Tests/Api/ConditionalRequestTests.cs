using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Contacts.Data;
using Contacts.Tests.Cli;
using Contacts.Tests.Infrastructure;

namespace Contacts.Tests.Api;

/// <summary>
/// ETag and If-None-Match on every GET of the API (docs/api.md#conditional-requests): the same request with the tag it
/// got answers 304 without a body and without reading the page; any write that changes the company's data, by any
/// path, changes every tag of the company; nothing another company does or sends ever matches.
/// </summary>
public abstract class ConditionalRequestTests(AppFixture fixture) : IDisposable
{
    private readonly TempFolder _files = new();

    private TestData Data => fixture.Data;

    private ContactsDatabase Db => fixture.Database.Db;

    private bool Postgres => Db.Provider == DatabaseProvider.Postgres;

    private sealed record Answer(HttpStatusCode Status, string? ETag, string? CacheControl, string Body);

    private static async Task<Answer> GetAsync(HttpClient client, string url, params string[] ifNoneMatch)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(url, UriKind.Relative));
        if (ifNoneMatch.Length > 0) request.Headers.TryAddWithoutValidation("If-None-Match", string.Join(", ", ifNoneMatch));
        using var response = await client.SendAsync(request);
        // As sent (the parsed CacheControl reorders its directives).
        var cacheControl = response.Headers.NonValidated.TryGetValues("Cache-Control", out var values) ? string.Join(", ", values) : null;
        return new Answer(response.StatusCode, response.Headers.ETag?.ToString(), cacheControl,
            await response.Content.ReadAsStringAsync());
    }

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    /// <summary>A company with a tagged contact (the witness, never written to by the tests) and a cursor of its feed.</summary>
    private async Task<(TestCompany Company, long Witness, long Tag, string[] Urls)> CompanyAsync()
    {
        var company = await Data.CompanyAsync();
        var tag = await Data.TagAsync(company.Id, "VIP", "#1156d6");
        var witness = await Data.ContactAsync(company.Id, "Wit", "Ness", "wit@x.test", tags: [tag]);
        await Data.ContactAsync(company.Id, "Ann", "Lee", "ann@x.test");
        using var client = fixture.App.ClientWithKey(company.Key);
        using var feed = JsonDocument.Parse((await GetAsync(client, "/api/v1/contacts/changes")).Body);
        var cursor = feed.RootElement.GetProperty("next_cursor").GetString()!;
        return (company, witness, tag, [
            "/api/v1/contacts", "/api/v1/contacts?search=lee&limit=5", "/api/v1/contacts/tags", $"/api/v1/contacts/{Id(witness)}",
            "/api/v1/contacts/changes", $"/api/v1/contacts/changes?cursor={cursor}",
        ]);
    }

    [SkippableFact]
    public async Task TheSameRequestWithItsTagIs304WithoutABodyAndWithTheTagAndCacheControl()
    {
        var (company, _, _, urls) = await CompanyAsync();
        using var client = fixture.App.ClientWithKey(company.Key);

        foreach (var url in urls)
        {
            var first = await GetAsync(client, url);
            Assert.Equal(HttpStatusCode.OK, first.Status);
            Assert.Matches("^W/\"[A-Za-z0-9_-]{22}\"$", first.ETag);
            Assert.Equal("private, no-cache", first.CacheControl);

            var again = await GetAsync(client, url, first.ETag!);

            Assert.Equal((url, HttpStatusCode.NotModified, first.ETag, "private, no-cache", ""), (url, again.Status, again.ETag, again.CacheControl, again.Body));
        }
    }

    [SkippableFact]
    public async Task IfNoneMatchComparesWeaklyTakesListsAndStar()
    {
        var (company, _, _, urls) = await CompanyAsync();
        using var client = fixture.App.ClientWithKey(company.Key);
        var tag = (await GetAsync(client, urls[0])).ETag!;
        var strong = tag[2..];

        Assert.Equal(HttpStatusCode.NotModified, (await GetAsync(client, urls[0], strong)).Status);
        Assert.Equal(HttpStatusCode.NotModified, (await GetAsync(client, urls[0], "W/\"other\"", tag, "\"more\"")).Status);
        Assert.Equal(HttpStatusCode.NotModified, (await GetAsync(client, urls[0], "*")).Status);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(client, urls[0], "W/\"other\"", "\"more\"")).Status);
        // `*` matches any current answer, and there is none for an id the company does not have.
        var missing = await GetAsync(client, "/api/v1/contacts/" + Id(long.MaxValue), "*");
        Assert.Equal((HttpStatusCode.NotFound, null, "no-store"), (missing.Status, missing.ETag, missing.CacheControl));
    }

    [SkippableFact]
    public async Task ErrorsCarryNoTagAndAreNeverStored()
    {
        var (company, _, _, urls) = await CompanyAsync();
        using var client = fixture.App.ClientWithKey(company.Key);
        var tag = (await GetAsync(client, urls[0])).ETag!;

        foreach (var url in new[] { "/api/v1/contacts?limit=0", "/api/v1/contacts/" + Id(long.MaxValue), "/api/v1/contacts/changes?cursor=nope" })
        {
            var answer = await GetAsync(client, url, tag);
            Assert.True(answer.Status is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, url);
            Assert.Equal((url, (string?)null, "no-store"), (url, answer.ETag, answer.CacheControl));
        }
    }

    [SkippableFact]
    public async Task TheSameRequestSpelledOtherwiseHasTheSameTagAndADifferentQueryAnother()
    {
        var (company, _, tag, _) = await CompanyAsync();
        using var client = fixture.App.ClientWithKey(company.Key);
        async Task<string> TagOf(string url) => (await GetAsync(client, url)).ETag!;

        Assert.Equal(await TagOf("/api/v1/contacts"), await TagOf("/api/v1/contacts?page=1&limit=10&search=%20&unknown=1"));
        Assert.Equal(await TagOf($"/api/v1/contacts?tag_id={Id(tag)}&tag_id=1"), await TagOf($"/api/v1/contacts?tag_id=1&tag_id={Id(tag)}"));
        string[] different =
        [
            "/api/v1/contacts", "/api/v1/contacts?page=2", "/api/v1/contacts?limit=11", "/api/v1/contacts?search=lee",
            "/api/v1/contacts?search=le", $"/api/v1/contacts?tag_id={Id(tag)}", "/api/v1/contacts?updated_since=2020-01-01T00:00:00Z",
            "/api/v1/contacts/tags", "/api/v1/contacts/tags?search=lee", "/api/v1/contacts/changes", "/api/v1/contacts/changes?limit=5",
        ];
        var tags = new List<string>();
        foreach (var url in different) tags.Add(await TagOf(url));
        Assert.Equal(different.Length, tags.Distinct().Count());
    }

    [SkippableFact]
    public async Task AnotherCompanysTagNeverMatchesEvenForTheSameRequestOnTheSameData()
    {
        var one = await Data.CompanyAsync();
        var two = await Data.CompanyAsync();
        using var first = fixture.App.ClientWithKey(one.Key);
        using var second = fixture.App.ClientWithKey(two.Key);

        foreach (var url in new[] { "/api/v1/contacts", "/api/v1/contacts/tags", "/api/v1/contacts/changes" })
        {
            // Two empty companies: the same answer, the same position, yet not the same tag.
            var theirs = await GetAsync(first, url);
            var mine = await GetAsync(second, url, theirs.ETag!);
            Assert.Equal((url, HttpStatusCode.OK), (url, mine.Status));
            Assert.NotEqual(theirs.ETag, mine.ETag);
        }
    }

    [SkippableFact]
    public async Task AnotherCompanysWritesDoNotChangeTheTags()
    {
        var (company, _, _, urls) = await CompanyAsync();
        var other = await Data.CompanyAsync();
        using var client = fixture.App.ClientWithKey(company.Key);
        var before = new List<string>();
        foreach (var url in urls) before.Add((await GetAsync(client, url)).ETag!);

        var theirs = await Data.ContactAsync(other.Id, "Their", "Contact");
        var theirTag = await Data.TagAsync(other.Id, "Theirs");
        await Data.TagContactAsync(other.Id, theirs, theirTag);
        await Db.ExecuteAsync("UPDATE tag SET color = '#000000' WHERE id = @id", ("@id", theirTag));
        await Db.ExecuteAsync("DELETE FROM contact WHERE id = @id", ("@id", theirs));

        for (var i = 0; i < urls.Length; i++)
            Assert.Equal((urls[i], HttpStatusCode.NotModified), (urls[i], (await GetAsync(client, urls[i], before[i])).Status));
    }

    public static TheoryData<string> Writes => new(
        "insert", "update", "delete", "tag", "untag", "rename a tag", "rename an unused tag", "create a tag", "delete an unused tag",
        "move a contact out", "move a contact in", "import");

    [SkippableTheory]
    [MemberData(nameof(Writes))]
    public async Task EveryKindOfWriteChangesEveryTagOfTheCompany(string write)
    {
        var (company, _, tag, urls) = await CompanyAsync();
        var other = await Data.CompanyAsync();
        var victim = await Data.ContactAsync(company.Id, "Vic", "Tim", "vic@x.test", tags: [tag]);
        var loner = await Data.ContactAsync(company.Id, "Lo", "Ner", "loner@x.test");
        var stranger = await Data.ContactAsync(other.Id, "Stran", "Ger", "stranger@x.test");
        var unused = await Data.TagAsync(company.Id, "Unused");
        using var client = fixture.App.ClientWithKey(company.Key);
        var before = new List<string>();
        foreach (var url in urls) before.Add((await GetAsync(client, url)).ETag!);

        await WriteAsync(write, company, other, victim, loner, stranger, tag, unused);

        for (var i = 0; i < urls.Length; i++)
        {
            var after = await GetAsync(client, urls[i], before[i]);
            Assert.Equal((write, urls[i], HttpStatusCode.OK), (write, urls[i], after.Status));
            Assert.NotEqual(before[i], after.ETag);
            Assert.NotEqual("", after.Body);
        }
    }

    private async Task WriteAsync(string write, TestCompany company, TestCompany other, long victim, long loner, long stranger, long tag, long unused)
    {
        var rename = Postgres ? "UPDATE tag SET name = 'Gold' WHERE id = @id" : "UPDATE tag SET name = 'Gold', name_folded = 'gold' WHERE id = @id";
        switch (write)
        {
            case "insert": await Data.ContactAsync(company.Id, "New", "Comer"); break;
            case "update": await Db.ExecuteAsync("UPDATE contact SET first_name = 'Victor' WHERE id = @id", ("@id", victim)); break;
            case "delete": await Db.ExecuteAsync("DELETE FROM contact WHERE id = @id", ("@id", victim)); break;
            case "tag": await Data.TagContactAsync(company.Id, victim, unused); break;
            case "untag": await Db.ExecuteAsync("DELETE FROM contact_tag WHERE contact_id = @id", ("@id", victim)); break;
            case "rename a tag": await Db.ExecuteAsync(rename, ("@id", tag)); break;
            case "rename an unused tag": await Db.ExecuteAsync(rename, ("@id", unused)); break;
            case "create a tag": await Data.TagAsync(company.Id, "Brand new"); break;
            case "delete an unused tag": await Db.ExecuteAsync("DELETE FROM tag WHERE id = @id", ("@id", unused)); break;
            case "move a contact out":
                await Db.ExecuteAsync("UPDATE contact SET company_id = @to WHERE id = @id", ("@to", other.Id), ("@id", loner));
                break;
            case "move a contact in":
                await Db.ExecuteAsync("UPDATE contact SET company_id = @to WHERE id = @id", ("@to", company.Id), ("@id", stranger));
                break;
            case "import":
                var file = _files.Write("import.csv", "id,first_name,last_name,email,phone_number,phone_number_lid,profile_picture,created_at,updated_at,tags\n" +
                                                      ",Imp,Orted,imported@x.test,,,,,,\n");
                var result = await CliRunner.RunAsync(fixture.Database, "import", "--company", Id(company.Id), file);
                Assert.True(result.ExitCode == 0, result.ToString());
                break;
            default: throw new ArgumentOutOfRangeException(nameof(write), write, null);
        }
    }

    [SkippableFact]
    public async Task APurgeOfTheChangeHistoryChangesTheFeedsTags()
    {
        var (company, _, _, urls) = await CompanyAsync();
        var gone = await Data.ContactAsync(company.Id, "Soon", "Gone");
        await Db.ExecuteAsync("DELETE FROM contact WHERE id = @id", ("@id", gone));
        using var client = fixture.App.ClientWithKey(company.Key);
        var feed = await GetAsync(client, urls[5]);
        Assert.Equal(HttpStatusCode.OK, feed.Status);

        await Contacts.Data.Changes.ChangeFeedQueries.PurgeAsync(Db, DateTime.UtcNow.AddMinutes(1), CancellationToken.None);

        // The cursor is now older than the kept history: the answer is 410, not a 304 for the page it had.
        Assert.Equal(HttpStatusCode.Gone, (await GetAsync(client, urls[5], feed.ETag!)).Status);
    }

    /// <summary>
    /// The page's own table is renamed away: reading the page would fail (500). A matching tag is still answered 304,
    /// from the company's stamp alone; a tag that does not match needs the page, and fails.
    /// </summary>
    [SkippableFact]
    public async Task A304IsDecidedWithoutReadingThePage()
    {
        var (company, _, _, urls) = await CompanyAsync();
        using var client = fixture.App.ClientWithKey(company.Key);
        var tags = new List<string>();
        foreach (var url in urls) tags.Add((await GetAsync(client, url)).ETag!);

        await Db.ExecuteAsync("ALTER TABLE contact RENAME TO contact_away");
        try
        {
            for (var i = 0; i < urls.Length; i++)
                Assert.Equal((urls[i], HttpStatusCode.NotModified), (urls[i], (await GetAsync(client, urls[i], tags[i])).Status));
            Assert.True((await GetAsync(client, urls[0], "W/\"other\"")).Status >= HttpStatusCode.InternalServerError);
        }
        finally
        {
            await Db.ExecuteAsync("ALTER TABLE contact_away RENAME TO contact");
        }
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(client, urls[0])).Status);
    }

    public void Dispose()
    {
        _files.Dispose();
        GC.SuppressFinalize(this);
    }
}

public sealed class SqliteConditionalRequestTests(SqliteAppFixture fixture) : ConditionalRequestTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class PostgresConditionalRequestTests(PostgresAppFixture fixture) : ConditionalRequestTests(fixture), IClassFixture<PostgresAppFixture>;
