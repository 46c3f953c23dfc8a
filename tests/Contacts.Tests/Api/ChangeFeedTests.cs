using Contacts.Data;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Contacts.Api;
using Contacts.Client;
using Contacts.Tests.Infrastructure;
using Json.Schema;
using Microsoft.Extensions.DependencyInjection;
using static Contacts.Tests.Api.ContractAssert;
using static Contacts.Tests.Api.FeedPages;

namespace Contacts.Tests.Api;

/// <summary>GET /api/v1/contacts/changes: the shapes, deletions, moves, tag changes, cursors and their errors.</summary>
public abstract class ChangeFeedTests(AppFixture fixture)
{
    private TestData Data => fixture.Data;
    private Contacts.Data.ContactsDatabase Db => fixture.Database.Db;

    private static DateTime At(int day) => new(2025, 9, day, 8, 30, 0, DateTimeKind.Utc);

    private static async Task<JsonElement> ChangesAsync(HttpClient client, string? cursor = null, int? limit = null)
    {
        var query = new List<string>();
        if (cursor is not null) query.Add("cursor=" + Uri.EscapeDataString(cursor));
        if (limit is not null) query.Add($"limit={limit}");
        return await PageAsync(client, ChangesPath + (query.Count > 0 ? "?" + string.Join("&", query) : ""));
    }
    [SkippableFact]
    public async Task WithoutACursorEveryLiveContactComesOnceAsAnUpsertInTheShapeOfTheContactsList()
    {
        var company = await Data.CompanyAsync();
        var vip = await Data.TagAsync(company.Id, "VIP", "#1156d6");
        var lead = await Data.TagAsync(company.Id, "Lead");
        var ids = new List<long>();
        for (var i = 0; i < 7; i++)
            ids.Add(await Data.ContactAsync(company.Id, $"Ann{i}", "Lee", $"ann{i}@x.test", "+1 555 0100", picture: "https://x.test/a.png",
                created: At(1), updated: At(2 + i), tags: i % 2 == 0 ? [vip, lead] : []));
        var gone = await Data.ContactAsync(company.Id, "Gone", email: "gone@x.test");
        await Db.ExecuteAsync("DELETE FROM contact WHERE id = @id", ("@id", gone));
        using var client = fixture.App.ClientWithKey(company.Key);

        var (items, _) = await DrainAsync(client, null, limit: 3);

        var listed = (await PageAsync(client, "/api/v1/contacts?limit=100")).GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(ids, items.Select(Id).Order());
        Assert.All(items, item =>
        {
            Assert.Equal(["type", "contact"], item.EnumerateObject().Select(p => p.Name));
            Assert.Equal("upsert", Type(item));
        });
        var byId = items.ToDictionary(Id);
        foreach (var contact in listed)
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(contact.GetRawText()), JsonNode.Parse(byId[long.Parse(contact.GetProperty("id").GetString()!,
                System.Globalization.CultureInfo.InvariantCulture)].GetProperty("contact").GetRawText())), contact.GetRawText());
    }

    [SkippableFact]
    public async Task APollWithNothingNewIsEmptyAndSaysNoMore()
    {
        var company = await Data.CompanyAsync();
        await Data.ContactAsync(company.Id, "Ann", email: "ann@x.test");
        using var client = fixture.App.ClientWithKey(company.Key);
        var (_, cursor) = await DrainAsync(client, null);

        var idle = await ChangesAsync(client, cursor);
        Assert.Empty(idle.GetProperty("data").EnumerateArray());
        Assert.False(idle.GetProperty("has_more").GetBoolean());
        Assert.Equal(["data", "next_cursor", "has_more"], idle.EnumerateObject().Select(p => p.Name));
        var again = await ChangesAsync(client, idle.GetProperty("next_cursor").GetString());
        Assert.Empty(again.GetProperty("data").EnumerateArray());
    }

    [SkippableFact]
    public async Task AnEmptyCompanyStartsWithAnEmptyUpToDatePage()
    {
        var company = await Data.CompanyAsync();
        using var client = fixture.App.ClientWithKey(company.Key);
        var first = await ChangesAsync(client);
        Assert.Empty(first.GetProperty("data").EnumerateArray());
        Assert.False(first.GetProperty("has_more").GetBoolean());

        var later = await Data.ContactAsync(company.Id, "Later", email: "later@x.test");
        var (items, _) = await DrainAsync(client, first.GetProperty("next_cursor").GetString());
        Assert.Equal([later], items.Select(Id));
    }

    [SkippableFact]
    public async Task DeletesByAnotherApplicationComeAsDeleteItemsAfterTheCursor()
    {
        var company = await Data.CompanyAsync();
        var tag = await Data.TagAsync(company.Id, "VIP");
        var keep = await Data.ContactAsync(company.Id, "Keep", email: "keep@x.test");
        var drop = await Data.ContactAsync(company.Id, "Drop", email: "drop@x.test", tags: [tag]);
        using var client = fixture.App.ClientWithKey(company.Key);
        var (_, cursor) = await DrainAsync(client, null);

        await Db.ExecuteAsync("DELETE FROM contact WHERE id = @id", ("@id", drop));
        var (items, _) = await DrainAsync(client, cursor);

        var delete = Assert.Single(items);
        Assert.Equal(["type", "id", "deleted_at"], delete.EnumerateObject().Select(p => p.Name));
        Assert.Equal("delete", Type(delete));
        Assert.Equal(drop, Id(delete));
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$", delete.GetProperty("deleted_at").GetString());
        Assert.InRange(DateTimeOffset.Parse(delete.GetProperty("deleted_at").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
            DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5));
        Assert.DoesNotContain(items, i => Id(i) == keep);
    }

    [SkippableFact]
    public async Task AContactMovedToAnotherCompanyIsADeleteForOneAndAnUpsertForTheOther()
    {
        var from = await Data.CompanyAsync();
        var to = await Data.CompanyAsync();
        var moved = await Data.ContactAsync(from.Id, "Moved", email: "moved@x.test");
        using var fromClient = fixture.App.ClientWithKey(from.Key);
        using var toClient = fixture.App.ClientWithKey(to.Key);
        var (_, fromCursor) = await DrainAsync(fromClient, null);
        var (_, toCursor) = await DrainAsync(toClient, null);

        await Db.ExecuteAsync("UPDATE contact SET company_id = @to WHERE id = @id", ("@to", to.Id), ("@id", moved));

        var (fromItems, _) = await DrainAsync(fromClient, fromCursor);
        var (toItems, _) = await DrainAsync(toClient, toCursor);
        Assert.Equal([("delete", moved)], fromItems.Select(i => (Type(i), Id(i))));
        Assert.Equal([("upsert", moved)], toItems.Select(i => (Type(i), Id(i))));
    }

    [SkippableFact]
    public async Task RenamingRecolouringOrRemovingATagSendsEveryContactCarryingItAgain()
    {
        var company = await Data.CompanyAsync();
        var vip = await Data.TagAsync(company.Id, "VIP");
        var other = await Data.TagAsync(company.Id, "Other");
        var a = await Data.ContactAsync(company.Id, "A", email: "a@x.test", tags: [vip]);
        var b = await Data.ContactAsync(company.Id, "B", email: "b@x.test", tags: [vip, other]);
        await Data.ContactAsync(company.Id, "C", email: "c@x.test", tags: [other]);
        using var client = fixture.App.ClientWithKey(company.Key);
        var (_, cursor) = await DrainAsync(client, null);

        await Db.ExecuteAsync((Db.Provider == DatabaseProvider.Postgres) ? "UPDATE tag SET name = 'Gold' WHERE id = @id" : "UPDATE tag SET name = 'Gold', name_folded = 'gold' WHERE id = @id", ("@id", vip));
        var (renamed, cursor2) = await DrainAsync(client, cursor);
        Assert.Equal([a, b], renamed.Select(Id).Order());
        Assert.All(renamed, i => Assert.Contains(i.GetProperty("contact").GetProperty("tags").EnumerateArray(), t => t.GetProperty("name").GetString() == "Gold"));

        await Db.ExecuteAsync("UPDATE tag SET color = '#000000' WHERE id = @id", ("@id", vip));
        var (recoloured, cursor3) = await DrainAsync(client, cursor2);
        Assert.Equal([a, b], recoloured.Select(Id).Order());

        await Db.ExecuteAsync("DELETE FROM tag WHERE id = @id", ("@id", vip));
        var (removed, _) = await DrainAsync(client, cursor3);
        Assert.Equal([a, b], removed.Select(Id).Order());
        Assert.All(removed, i => Assert.DoesNotContain(i.GetProperty("contact").GetProperty("tags").EnumerateArray(), t => t.GetProperty("name").GetString() == "Gold"));
    }

    [SkippableFact]
    public async Task AContactWrittenWithAnOldUpdatedAtStillArrives()
    {
        var company = await Data.CompanyAsync();
        await Data.ContactAsync(company.Id, "Now", email: "now@x.test", updated: DateTime.UtcNow);
        using var client = fixture.App.ClientWithKey(company.Key);
        var (_, cursor) = await DrainAsync(client, null);

        var old = await Data.ContactAsync(company.Id, "Old", email: "old@x.test", created: At(1), updated: At(1));
        var (items, _) = await DrainAsync(client, cursor);
        Assert.Equal([old], items.Select(Id));
    }

    [SkippableTheory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("not a cursor!")]
    // Each malformed whatever the company (another company's cursor has its own test below): a valid cursor of company 1
    // here was this test's own cursor when the test ran alone, on a fresh database.
    [InlineData("AQMAAAAAAAAAAQAAAAAAAAABAAAAAAAAAAE")] // version 1, company 1, kind 3: neither walk nor log
    [InlineData("AQEAAAAAAAAAAf__________AAAAAAAAAAE")] // version 1, company 1, a negative position
    [InlineData("AwEAAAAAAAAAAQAAAAAAAAABAAAAAAAAAAEAAAAAAAAAAQAAAAAAAAAA")] // version 3, company 1, history mark 0
    [InlineData("AgEAAAAAAAAAAQAAAAAAAAABAAAAAAAAAAEAAAAAAAAA")] // version 2, company 1, one byte short
    [InlineData("CQIAAAAAAAAAAQAAAAAAAAABAAAAAAAAAAE")] // an unknown version (9)
    public async Task AMalformedCursorIsRefusedWith400(string cursor)
    {
        var company = await Data.CompanyAsync();
        using var client = fixture.App.ClientWithKey(company.Key);
        var problem = await ProblemAsync(await client.GetAsync($"{ChangesPath}?cursor={Uri.EscapeDataString(cursor)}"), HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("cursor", out _));
        Assert.Contains("without a cursor", problem.GetProperty("detail").GetString());
    }

    // The lists' limit rule and messages, with the feed's own default (100).
    [SkippableTheory]
    [InlineData("limit=0", "limit must be an integer between 1 and 100.")]
    [InlineData("limit=101", "limit must be an integer between 1 and 100.")]
    [InlineData("limit=ten", "limit must be an integer between 1 and 100.")]
    [InlineData("limit=5&limit=6", "limit must be given at most once.")]
    public async Task ALimitOutOfRangeIsRefusedWith400(string query, string rule)
    {
        var company = await Data.CompanyAsync();
        using var client = fixture.App.ClientWithKey(company.Key);
        var problem = await ProblemAsync(await client.GetAsync($"{ChangesPath}?{query}"), HttpStatusCode.BadRequest);
        Assert.Equal([rule], problem.GetProperty("errors").GetProperty("limit").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(rule, problem.GetProperty("detail").GetString());
    }

    [SkippableFact]
    public async Task ACursorGivenTwiceIsRefusedLikeAMalformedOne()
    {
        var company = await Data.CompanyAsync();
        using var client = fixture.App.ClientWithKey(company.Key);
        var cursor = (await ChangesAsync(client, null, 1)).GetProperty("next_cursor").GetString();
        var twice = await ProblemAsync(await client.GetAsync($"{ChangesPath}?cursor={cursor}&cursor={cursor}"), HttpStatusCode.BadRequest);
        var garbage = await ProblemAsync(await client.GetAsync($"{ChangesPath}?cursor=abc"), HttpStatusCode.BadRequest);
        Assert.Equal(garbage.GetProperty("errors").GetRawText(), twice.GetProperty("errors").GetRawText());
    }

    [SkippableFact]
    public async Task ACursorOfAnotherCompanyIsRefusedAndRevealsNothing()
    {
        var a = await Data.CompanyAsync();
        var b = await Data.CompanyAsync();
        var secret = await Data.ContactAsync(a.Id, "Secret", email: "secret@a.test");
        using var clientA = fixture.App.ClientWithKey(a.Key);
        using var clientB = fixture.App.ClientWithKey(b.Key);
        var (_, cursorA) = await DrainAsync(clientA, null, limit: 1);
        var midWalk = (await ChangesAsync(clientA, null, 1)).GetProperty("next_cursor").GetString()!;

        foreach (var stolen in new[] { cursorA, midWalk })
        {
            using var response = await clientB.GetAsync($"{ChangesPath}?cursor={stolen}");
            var body = await response.Content.ReadAsStringAsync();
            var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
            using var garbage = await clientB.GetAsync($"{ChangesPath}?cursor=abc");
            var garbageProblem = await ProblemAsync(garbage, HttpStatusCode.BadRequest);
            // The same answer as for garbage: nothing tells B that the cursor is real, whose it is, or what it points at.
            Assert.Equal(garbageProblem.GetProperty("detail").GetString(), problem.GetProperty("detail").GetString());
            Assert.Equal(garbageProblem.GetProperty("errors").GetRawText(), problem.GetProperty("errors").GetRawText());
            var withoutTrace = body.Replace(problem.GetProperty("traceId").GetString()!, "", StringComparison.Ordinal);
            Assert.DoesNotContain("Secret", withoutTrace);
            Assert.DoesNotContain($"\"{secret}\"", withoutTrace);
        }
    }

    [SkippableFact]
    public async Task ACursorOlderThanTheKeptHistoryAnswers410AndStartingAgainWorks()
    {
        var company = await Data.CompanyAsync();
        var bystander = await Data.CompanyAsync();
        var drop = await Data.ContactAsync(company.Id, "Drop", email: "drop@x.test");
        var keep = await Data.ContactAsync(company.Id, "Keep", email: "keep@x.test");
        await Data.ContactAsync(bystander.Id, "Other", email: "other@x.test");
        using var client = fixture.App.ClientWithKey(company.Key);
        using var bystanderClient = fixture.App.ClientWithKey(bystander.Key);
        var (_, cursor) = await DrainAsync(client, null);
        var (_, bystanderCursor) = await DrainAsync(bystanderClient, null);
        await Db.ExecuteAsync("DELETE FROM contact WHERE id = @id", ("@id", drop));

        // The server's own purge keeps a fresh deletion for Sync:HistoryDays (30 by default).
        await fixture.App.Services.GetRequiredService<ChangeFeedPurge>().PurgeOnceAsync();
        var (kept, _) = await DrainAsync(client, cursor);
        Assert.Equal([("delete", drop)], kept.Select(i => (Type(i), Id(i))));

        // A server keeping no history purges it at once: the cursor from before the deletion has lost it.
        await using (var noHistory = await TestApp.StartAsync(fixture.Database, "--Sync:HistoryDays=0"))
            await noHistory.Services.GetRequiredService<ChangeFeedPurge>().PurgeOnceAsync(); // (its start-up purge may have done it already)

        var problem = await ProblemAsync(await client.GetAsync($"{ChangesPath}?cursor={cursor}"), HttpStatusCode.Gone);
        Assert.Contains("without a cursor", problem.GetProperty("detail").GetString());
        var (fresh, _) = await DrainAsync(client, null);
        Assert.Equal([keep], fresh.Select(Id));
        // A company that lost no deletion keeps its cursor.
        await DrainAsync(bystanderClient, bystanderCursor);
    }

    [SkippableFact]
    public async Task TheClientWalkYieldsEveryChangeAndExposesTheCursorToStore()
    {
        var company = await Data.CompanyAsync();
        for (var i = 0; i < 5; i++) await Data.ContactAsync(company.Id, $"C{i}", email: $"c{i}@x.test");
        using var client = ContactsClient.Create(fixture.App.Address, company.Key);

        var walk = client.GetAllChangesAsync(limit: 2);
        var seen = new List<ContactChange>();
        await foreach (var change in walk) seen.Add(change);
        Assert.Equal(5, seen.OfType<ContactUpsert>().Count());
        Assert.NotNull(walk.Cursor);

        var gone = ((ContactUpsert)seen[0]).Contact.Id;
        await Db.ExecuteAsync("DELETE FROM contact WHERE id = @id", ("@id", long.Parse(gone, System.Globalization.CultureInfo.InvariantCulture)));
        var page = await client.GetChangesAsync(walk.Cursor);
        Assert.Equal(gone, Assert.IsType<ContactDelete>(Assert.Single(page.Data)).Id);
        Assert.False(page.HasMore);

        var expired = await Assert.ThrowsAsync<ContactsApiException>(() => client.GetChangesAsync("abc"));
        Assert.Equal(HttpStatusCode.BadRequest, expired.StatusCode);
    }

    [SkippableFact]
    public async Task TheOpenApiDocumentDescribesBothItemShapesAsADiscriminatedOneOfThatRealAnswersMatch()
    {
        var company = await Data.CompanyAsync();
        var tag = await Data.TagAsync(company.Id, "VIP");
        await Data.ContactAsync(company.Id, "Ann", email: "ann@x.test", tags: [tag]);
        var drop = await Data.ContactAsync(company.Id, "Drop", email: "drop@x.test");
        using var client = fixture.App.ClientWithKey(company.Key);
        var (_, start) = await DrainAsync(client, null, limit: 1);
        await Db.ExecuteAsync("DELETE FROM contact WHERE id = @id", ("@id", drop));
        await Db.ExecuteAsync("UPDATE contact SET first_name = 'Anne' WHERE company_id = @c", ("@c", company.Id));

        using var documentResponse = await fixture.App.Client.GetAsync("/openapi/v1.json");
        var document = JsonNode.Parse(await documentResponse.Content.ReadAsStringAsync())!;
        var operation = document["paths"]![ChangesPath]!["get"]!;
        // (and the If-None-Match header every operation takes: Docs/LiveAnswerTests)
        Assert.Equal(["cursor", "limit"], operation["parameters"]!.AsArray().Where(p => (string?)p!["in"] == "query").Select(p => (string)p!["name"]!));
        Assert.Equal(["200", "304", "400", "401", "405", "410", "429", "500", "503"], operation["responses"]!.AsObject().Select(r => r.Key).Order(StringComparer.Ordinal));
        var item = document["components"]!["schemas"]!.AsObject().Single(s => s.Value?["oneOf"] is not null).Value!;
        Assert.Equal("type", (string?)item["discriminator"]!["propertyName"]);
        Assert.Equal(["delete", "upsert"], item["discriminator"]!["mapping"]!.AsObject().Select(m => m.Key).Order(StringComparer.Ordinal));
        Assert.Equal(2, item["oneOf"]!.AsArray().Count);

        var schemaNode = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$defs"] = document["components"]!["schemas"]!.DeepClone(),
        };
        foreach (var (name, value) in operation["responses"]!["200"]!["content"]!["application/json"]!["schema"]!.AsObject())
            schemaNode[name] = value?.DeepClone();
        var schema = JsonSchema.FromText(schemaNode.ToJsonString().Replace("#/components/schemas/", "#/$defs/", StringComparison.Ordinal));
        using var response = await client.GetAsync($"{ChangesPath}?cursor={start}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"delete\"", body);
        Assert.Contains("\"upsert\"", body);
        using var instance = JsonDocument.Parse(body);
        Assert.True(schema.Evaluate(instance.RootElement, new EvaluationOptions { RequireFormatValidation = true }).IsValid, body);
        // And a body the schema must refuse: an upsert without its contact.
        using var wrong = JsonDocument.Parse("""{"data":[{"type":"upsert","id":"1","deleted_at":"2025-01-01T00:00:00.000Z"}],"next_cursor":"x","has_more":false}""");
        Assert.False(schema.Evaluate(wrong.RootElement).IsValid);
    }
}

public sealed class SqliteChangeFeedTests(SqliteAppFixture fixture) : ChangeFeedTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class PostgresChangeFeedTests(PostgresAppFixture fixture) : ChangeFeedTests(fixture), IClassFixture<PostgresAppFixture>;
