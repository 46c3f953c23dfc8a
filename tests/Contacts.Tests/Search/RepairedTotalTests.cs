using System.Data.Common;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Contacts.Data;
using Contacts.Data.Contacts;
using Contacts.Tests.Api;
using Contacts.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Contacts.Tests.Search;

/// <summary>
/// Stale search totals are repaired from the changes since they were counted (issue 19, docs/search-performance.md
/// "Repair"). A randomized model: other applications write by plain SQL (inserts, updates, deletes, tagging, untagging,
/// tag renames and deletions, moves between companies, transactions held open across searches, two transactions tagging
/// one contact at once, REPEATABLE READ writers, rollbacks) while searches of short and long terms run; after every step
/// each term's total and first page must equal a recount of the same data, written here in SQL of its own. Fixed seeds;
/// a failure names its seed and step.
/// </summary>
public abstract class RepairedTotalTests(AppFixture fixture, ITestOutputHelper output)
{
    private const int Seeds = 4;
    private const int Steps = 70;

    private static readonly string[] Terms = ["a", "e", "an", "lee", "ann", "tag", "tag1", "555", "zz"];
    private static readonly string[] Firsts = ["Ann", "Anna", "Lee", "Bob", "Eve", "Zed", "Kim"];
    private static readonly string[] Lasts = ["Lee", "Ng", "Annan", "Ross", "Kent", null!];

    private ContactsDatabase Db => fixture.Database.Db;
    private bool Postgres => Db.Provider == DatabaseProvider.Postgres;

    [SkippableFact]
    public async Task EveryTotalAndPageEqualsARecountWhateverTheWritersDid()
    {
        Skip.If(fixture.SkipReason is not null, fixture.SkipReason);
        var totals = fixture.App.Services.GetRequiredService<ContactsDatabase>().SearchTotals;
        var (repairedBefore, countedBefore) = (totals.Repaired, totals.Counted);
        long checks = 0;
        for (var seed = 1; seed <= Seeds; seed++)
        {
            var log = new List<string>();
            try
            {
                checks += await RunAsync(seed, log);
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"seed {seed} failed after:\n  {string.Join("\n  ", log.TakeLast(30))}\n{e}");
            }
        }
        var (repaired, counted) = (totals.Repaired - repairedBefore, totals.Counted - countedBefore);
        output.WriteLine($"{fixture.Database.ProviderName}: {checks} totals and pages checked; {repaired} repaired, {counted} counted");
        // The repair really served (most stale totals), and the fallback too (renames, deletions of tags, REPEATABLE READ).
        Assert.True(repaired > counted, $"{repaired} repaired, {counted} counted");
        Assert.True(counted > 0);
    }

    /// <summary>
    /// A contact that matches by a tag alone, then deleted (PostgreSQL runs the cascade's triggers on contact_tag after
    /// the deleting statement's own: the image must be taken before the cascade), untagged, and its tag renamed.
    /// </summary>
    [SkippableFact]
    public async Task ChangesOfAContactThatMatchesByATagAloneAreRepaired()
    {
        Skip.If(fixture.SkipReason is not null, fixture.SkipReason);
        var company = await fixture.Data.CompanyAsync();
        var tag = await fixture.Data.TagAsync(company.Id, "Kayak");
        var zed = await fixture.Data.ContactAsync(company.Id, "Zed", "Lee", tags: [tag]);
        var bob = await fixture.Data.ContactAsync(company.Id, "Bob", "Kent", tags: [tag]);
        await fixture.Data.ContactAsync(company.Id, "Ann", "Ng");
        using var client = fixture.App.ClientWithKey(company.Key);
        var totals = fixture.App.Services.GetRequiredService<ContactsDatabase>().SearchTotals;
        Assert.Equal(3, await CachedTotalTests.TotalAsync(client, "a"));
        Assert.Equal(2, await CachedTotalTests.TotalAsync(client, "kay"));

        var repaired = totals.Repaired;
        await Db.ExecuteAsync("DELETE FROM contact WHERE id = @id", ("@id", zed));
        Assert.Equal(2, await CachedTotalTests.TotalAsync(client, "a"));
        Assert.Equal(1, await CachedTotalTests.TotalAsync(client, "kay"));
        await Db.ExecuteAsync("DELETE FROM contact_tag WHERE contact_id = @id", ("@id", bob));
        Assert.Equal(1, await CachedTotalTests.TotalAsync(client, "a"));
        Assert.Equal(0, await CachedTotalTests.TotalAsync(client, "kay"));
        Assert.Equal(4, totals.Repaired - repaired);

        // A rename is not repaired (images hold tag ids, matched against today's names): counted, and right.
        await fixture.Data.TagContactAsync(company.Id, bob, tag);
        Assert.Equal(1, await CachedTotalTests.TotalAsync(client, "kay"));
        var counted = totals.Counted;
        await Db.ExecuteAsync(Postgres ? "UPDATE tag SET name = 'Canoe' WHERE id = @id" : "UPDATE tag SET name = 'Canoe', name_folded = 'canoe' WHERE id = @id", ("@id", tag));
        Assert.Equal(0, await CachedTotalTests.TotalAsync(client, "kay"));
        Assert.Equal(2, await CachedTotalTests.TotalAsync(client, "a"));
        Assert.Equal(2, totals.Counted - counted); // both spans include the rename
    }

    private async Task<long> RunAsync(int seed, List<string> log)
    {
        var random = new Random(seed);
        var company = await fixture.Data.CompanyAsync();
        var other = await fixture.Data.CompanyAsync();
        using var client = fixture.App.ClientWithKey(company.Key);
        var tagNames = 0;
        for (var i = 0; i < 4; i++) await fixture.Data.TagAsync(company.Id, $"tag{++tagNames}");
        await fixture.Data.TagAsync(other.Id, $"tag{++tagNames}");
        for (var i = 0; i < 24; i++) await InsertAsync(null, null, company.Id, random);
        for (var i = 0; i < 4; i++) await InsertAsync(null, null, other.Id, random);
        long checks = await CheckAsync(client, company.Id, log, "start");

        for (var step = 0; step < Steps; step++)
        {
            var action = random.Next(14);
            log.Add($"step {step}: action {action}");
            switch (action)
            {
                case 0 or 1:
                    await InsertAsync(null, null, company.Id, random);
                    break;
                case 2 or 3:
                    await Db.WithContactAsync(company.Id, random, id => UpdateAsync(null, null, id, random));
                    break;
                case 4:
                    await Db.WithContactAsync(company.Id, random, id => Db.ExecuteAsync("DELETE FROM contact WHERE id = @id", ("@id", id)));
                    break;
                case 5 or 6:
                    await Db.WithContactAsync(company.Id, random, id => TagAsync(null, null, company.Id, id, random));
                    break;
                case 7:
                    await Db.WithContactAsync(company.Id, random, id => Db.ExecuteAsync(
                        "DELETE FROM contact_tag WHERE contact_id = @id AND tag_id IN (SELECT min(tag_id) FROM contact_tag WHERE contact_id = @id)", ("@id", id)));
                    break;
                case 8:
                    if (random.Next(3) == 0) await Db.WithTagAsync(company.Id, random, id => Db.ExecuteAsync("DELETE FROM tag WHERE id = @id", ("@id", id)));
                    else await Db.WithTagAsync(company.Id, random, id => Db.ExecuteAsync(Postgres
                        ? "UPDATE tag SET name = @name WHERE id = @id" : "UPDATE tag SET name = @name, name_folded = @name WHERE id = @id",
                        ("@name", $"tag{++tagNames}"), ("@id", id)));
                    if (random.Next(2) == 0) await fixture.Data.TagAsync(company.Id, $"tag{++tagNames}");
                    break;
                case 9:
                    // A move, either way (MoveContactAsync: the contact's tags first, in the same transaction).
                    var (from, to) = random.Next(2) == 0 ? (company.Id, other.Id) : (other.Id, company.Id);
                    // Sometimes changed again before the next search, so that the span holds the move and a later change.
                    await Db.WithContactAsync(from, random, async id =>
                    {
                        await Db.MoveContactAsync(id, to);
                        return random.Next(2) == 0 ? await UpdateAsync(null, null, id, random) : 1;
                    });
                    break;
                case 10 or 11:
                    checks += await HeldTransactionAsync(client, company.Id, random, step, log);
                    break;
                case 12:
                    if (Postgres) checks += await TwoTaggersAsync(client, company.Id, random, log);
                    break;
                default:
                    if (Postgres) await RepeatableReadAsync(company.Id, random);
                    break;
            }
            checks += await CheckAsync(client, company.Id, log, $"step {step}");
        }
        return checks;
    }

    /// <summary>
    /// A transaction writes (insert, update, tag) and stays open while searches run and, on PostgreSQL, another writer
    /// commits changes of its own; then it commits or rolls back.
    /// </summary>
    private async Task<long> HeldTransactionAsync(HttpClient client, long company, Random random, int step, List<string> log)
    {
        await using var connection = await Db.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var ids = await Db.IdsAsync("SELECT id FROM contact WHERE company_id = @company ORDER BY id", ("@company", company));
        // Only even ids in the held transaction, odd ones by the other writer: they never wait for each other's row locks.
        var mine = ids.Where(id => id % 2 == 0).ToList();
        var theirs = ids.Where(id => id % 2 == 1).ToList();
        await InsertAsync(connection, transaction, company, random);
        if (mine.Count > 0) await UpdateAsync(connection, transaction, mine[random.Next(mine.Count)], random);
        long checks = await CheckAsync(client, company, log, $"step {step} held");
        if (Postgres && theirs.Count > 0)
        {
            await UpdateAsync(null, null, theirs[random.Next(theirs.Count)], random);
            await TagAsync(null, null, company, theirs[random.Next(theirs.Count)], random);
            checks += await CheckAsync(client, company, log, $"step {step} held, other committed");
        }
        if (mine.Count > 0) await TagAsync(connection, transaction, company, mine[random.Next(mine.Count)], random);
        if (random.Next(4) == 0)
        {
            log.Add($"step {step}: rolled back");
            await transaction.RollbackAsync();
        }
        else await transaction.CommitAsync();
        return checks;
    }

    /// <summary>
    /// Two transactions tag one contact at once (PostgreSQL): the second waits for the first's lock on the contact, so the
    /// image it keeps is the state the first one left. A search runs between the commits.
    /// </summary>
    private async Task<long> TwoTaggersAsync(HttpClient client, long company, Random random, List<string> log)
    {
        var ids = await Db.IdsAsync("SELECT id FROM contact WHERE company_id = @company ORDER BY id", ("@company", company));
        var tags = await Db.IdsAsync("SELECT id FROM tag WHERE company_id = @company ORDER BY id", ("@company", company));
        if (ids.Count == 0 || tags.Count < 2) return 0;
        var contact = ids[random.Next(ids.Count)];
        await Db.ExecuteAsync("DELETE FROM contact_tag WHERE contact_id = @id AND tag_id IN (@a, @b)", ("@id", contact), ("@a", tags[0]), ("@b", tags[1]));
        await using var first = await Db.OpenAsync();
        await using var firstTransaction = await first.BeginTransactionAsync();
        await using var second = await Db.OpenAsync();
        await using var secondTransaction = await second.BeginTransactionAsync();
        await Db.ExecuteAsync(first, firstTransaction, "INSERT INTO contact_tag (company_id, contact_id, tag_id) VALUES (@company, @id, @tag) ON CONFLICT DO NOTHING",
            ("@company", company), ("@id", contact), ("@tag", tags[0]));
        var waiting = Db.ExecuteAsync(second, secondTransaction, "INSERT INTO contact_tag (company_id, contact_id, tag_id) VALUES (@company, @id, @tag) ON CONFLICT DO NOTHING",
            ("@company", company), ("@id", contact), ("@tag", tags[1]));
        var pid = ((Npgsql.NpgsqlConnection)second).ProcessID;
        while (!waiting.IsCompleted && await ServerStatistics.ScalarAsync(fixture.Database.ConnectionString,
                   $"SELECT count(*) FROM pg_stat_activity WHERE pid = {pid} AND wait_event_type = 'Lock'") == 0)
            await Task.Yield();
        Assert.False(waiting.IsCompleted, "the second tagger did not wait for the first one's lock on the contact");
        await firstTransaction.CommitAsync();
        await waiting;
        var checks = await CheckAsync(client, company, log, "between the taggers' commits");
        await secondTransaction.CommitAsync();
        return checks;
    }

    /// <summary>A REPEATABLE READ writer (its snapshot may miss a commit it did not wait for): its changes are counted, not repaired.</summary>
    private async Task RepeatableReadAsync(long company, Random random)
    {
        await using var connection = await Db.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead);
        await Db.WithContactAsync(company, random, id => UpdateAsync(connection, transaction, id, random));
        await transaction.CommitAsync();
    }

    /// <summary>Each term's total and first page from the API, against the recount below (one request each, then once more from the cache).</summary>
    private async Task<long> CheckAsync(HttpClient client, long company, List<string> log, string where)
    {
        foreach (var term in Terms)
        {
            var expected = await RecountAsync(company, term);
            for (var i = 0; i < 2; i++)
            {
                var (total, page) = await SearchAsync(client, term);
                if (total != expected.Count || !page.SequenceEqual(expected.Take(10)))
                {
                    log.Add($"{where}: '{term}' answered {total} [{string.Join(",", page)}], recount {expected.Count} [{string.Join(",", expected.Take(10))}] all [{string.Join(",", expected)}] request {i} entry {fixture.App.Services.GetRequiredService<ContactsDatabase>().SearchTotals.Find(company, term)}");
                    if (Postgres) log.Add(await DumpAsync(company));
                    throw new Xunit.Sdk.XunitException(log[^1]);
                }
            }
        }
        return Terms.Length;
    }

    /// <summary>On a failure: the company's newest search images with their positions, to see which one the repair used.</summary>
    private async Task<string> DumpAsync(long company)
    {
        var lines = new List<string>();
        await using var connection = await Db.OpenAsync();
        await using var command = Db.Command(connection, $"""
            SELECT format('img c%s k%s seq%s absent=%s text=%s/%s tags=%s/%s', i.contact_id, i.txn_key, x.seq, i.absent, i.text_known, i.search_text, i.tags_known, i.tag_ids)
            FROM contact_search_image i LEFT JOIN contact_change_txn x ON x.txn_key = i.txn_key AND x.company_id = i.company_id
            WHERE i.company_id = {company} ORDER BY x.seq DESC NULLS FIRST LIMIT 40
            """);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) lines.Add(reader.GetString(0));
        return string.Join("\n", lines);
    }

    /// <summary>
    /// The matches of a lowercase ASCII term, in SQL of the test's own: the contact's stored search text, its tags' folded
    /// names, and for a term of digits the stored phone digits.
    /// </summary>
    private Task<List<long>> RecountAsync(long company, string term)
    {
        var digits = term.All(char.IsAsciiDigit) ? " OR c.phone_digits LIKE @pattern" : "";
        return Db.IdsAsync($"""
            SELECT c.id FROM contact c WHERE c.company_id = @company AND (c.search_text LIKE @pattern{digits}
              OR EXISTS (SELECT 1 FROM contact_tag ct JOIN tag t ON t.id = ct.tag_id WHERE ct.contact_id = c.id AND t.name_folded LIKE @pattern))
            ORDER BY c.id
            """, ("@company", company), ("@pattern", "%" + term + "%"));
    }

    private static async Task<(long Total, long[] Page)> SearchAsync(HttpClient client, string term)
    {
        using var response = await client.GetAsync(new Uri($"/api/v1/contacts?search={Uri.EscapeDataString(term)}&limit=10", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{term}: {(int)response.StatusCode} {body}");
        using var json = JsonDocument.Parse(body);
        return (json.RootElement.GetProperty("totalRecords").GetInt64(),
            [.. json.RootElement.GetProperty("data").EnumerateArray().Select(c => long.Parse(c.GetProperty("id").GetString()!, CultureInfo.InvariantCulture))]);
    }

    private async Task InsertAsync(DbConnection? connection, DbTransaction? transaction, long company, Random random)
    {
        var (first, last, phone) = Person(random);
        await WriteAsync(connection, transaction, Postgres
            ? "INSERT INTO contact (company_id, first_name, last_name, phone_number, created_at, updated_at) VALUES (@company, @first, @last, @phone, @now, @now)"
            : "INSERT INTO contact (company_id, first_name, last_name, phone_number, created_at, updated_at, search_text, phone_digits) VALUES (@company, @first, @last, @phone, @now, @now, @search, @digits)",
            ("@company", company), ("@first", first), ("@last", last), ("@phone", phone), ("@now", Db.TimestampValue(DateTime.UtcNow)),
            ("@search", SearchText.ForContact(first, last, null, phone, null)), ("@digits", SearchText.PhoneDigitsForContact(phone, null)));
    }

    private async Task<int> UpdateAsync(DbConnection? connection, DbTransaction? transaction, long id, Random random)
    {
        var (first, last, phone) = Person(random);
        return await WriteAsync(connection, transaction, Postgres
            ? "UPDATE contact SET first_name = @first, last_name = @last, phone_number = @phone WHERE id = @id"
            : "UPDATE contact SET first_name = @first, last_name = @last, phone_number = @phone, search_text = @search, phone_digits = @digits WHERE id = @id",
            ("@id", id), ("@first", first), ("@last", last), ("@phone", phone),
            ("@search", SearchText.ForContact(first, last, null, phone, null)), ("@digits", SearchText.PhoneDigitsForContact(phone, null)));
    }

    private async Task<int> TagAsync(DbConnection? connection, DbTransaction? transaction, long company, long id, Random random)
    {
        var tags = await Db.IdsAsync("SELECT id FROM tag WHERE company_id = @company ORDER BY id", ("@company", company));
        if (tags.Count == 0) return 0;
        return await WriteAsync(connection, transaction,
            "INSERT INTO contact_tag (company_id, contact_id, tag_id) VALUES (@company, @id, @tag) ON CONFLICT DO NOTHING",
            ("@company", company), ("@id", id), ("@tag", tags[random.Next(tags.Count)]));
    }

    private async Task<int> WriteAsync(DbConnection? connection, DbTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var used = parameters.Where(p => sql.Contains(p.Name, StringComparison.Ordinal)).ToArray();
        return connection is null ? await Db.ExecuteAsync(sql, used) : await Db.ExecuteAsync(connection, transaction, sql, used);
    }

    private static (string First, string? Last, string? Phone) Person(Random random) =>
        (Firsts[random.Next(Firsts.Length)], Lasts[random.Next(Lasts.Length)],
            random.Next(3) == 0 ? $"+1 {random.Next(200, 999)} 555 {random.Next(1000, 9999)}" : random.Next(2) == 0 ? $"+44 20 7946 {random.Next(1000, 9999)}" : null);


}

public sealed class SqliteRepairedTotalTests(SqliteAppFixture fixture, ITestOutputHelper output)
    : RepairedTotalTests(fixture, output), IClassFixture<SqliteAppFixture>;

public sealed class PostgresRepairedTotalTests(PostgresAppFixture fixture, ITestOutputHelper output)
    : RepairedTotalTests(fixture, output), IClassFixture<PostgresAppFixture>;

