using System.Data.Common;
using System.Globalization;
using Contacts.Client;
using Contacts.Data;
using Contacts.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Contacts.Tests.Api;

/// <summary>
/// The feed's guarantee as a randomized model: other applications write two companies by plain SQL (inserts, some with
/// old updated_at, updates, deletes, bulk statements, tagging, tag renames, recolours and deletions, moves between the
/// companies, multi-statement transactions, a transaction held open across polls), while sync jobs poll the feed
/// between the writes with small pages, sometimes stopping mid-walk. At the end each job's copy, built only from the
/// feed, must equal GET /api/v1/contacts. Fixed seeds; a failure names its seed and step.
/// </summary>
public abstract class ChangeFeedModelTests(AppFixture fixture, ITestOutputHelper output)
{
    private const int Seeds = 6;
    private const int Steps = 120;

    private ContactsDatabase Db => fixture.Database.Db;

    [SkippableFact]
    public async Task ACopyBuiltFromTheFeedEqualsTheContactsListWhateverTheWritersDid()
    {
        Skip.If(fixture.SkipReason is not null, fixture.SkipReason);
        long changes = 0;
        for (var seed = 1; seed <= Seeds; seed++)
        {
            var log = new List<string>();
            try
            {
                changes += await RunAsync(seed, log);
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"seed {seed} failed after:\n  {string.Join("\n  ", log.TakeLast(40))}\n{e}");
            }
        }
        output.WriteLine($"{fixture.Database.ProviderName}: {Seeds} scenarios of {Steps} steps; {changes} contacts compared at the end");
    }

    private async Task<int> RunAsync(int seed, List<string> log)
    {
        var random = new Random(seed);
        var companies = new[] { await fixture.Data.CompanyAsync(), await fixture.Data.CompanyAsync() };
        using var clientA = ContactsClient.Create(fixture.App.Address, companies[0].Key);
        using var clientB = ContactsClient.Create(fixture.App.Address, companies[1].Key);
        var copies = new[] { new SyncedCopy(clientA), new SyncedCopy(clientB) };
        var tagNames = 0;
        foreach (var company in companies)
            for (var i = 0; i < 3; i++) await fixture.Data.TagAsync(company.Id, $"tag{++tagNames}", "#111111");
        for (var i = 0; i < 6; i++)
            await InsertAsync(companies[i % 2].Id, $"Seed{i}", Recent(random));

        for (var step = 0; step < Steps; step++)
        {
            var company = companies[random.Next(2)].Id;
            var other = company == companies[0].Id ? companies[1].Id : companies[0].Id;
            var action = random.Next(17);
            log.Add($"step {step}: action {action} on company {company}");
            switch (action)
            {
                case 0 or 1:
                    await InsertAsync(company, $"New{step}",
                        random.Next(3) == 0 ? new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddDays(random.Next(100)) : Recent(random));
                    break;
                case 2:
                    await Db.WithContactAsync(company, random, id => Db.ExecuteAsync(
                        "UPDATE contact SET first_name = @name, updated_at = @updated WHERE id = @id",
                        ("@name", $"Upd{step}"), ("@updated", Db.TimestampValue(random.Next(2) == 0 ? Recent(random) : new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc))), ("@id", id)));
                    break;
                case 3:
                    await Db.ExecuteAsync("UPDATE contact SET last_name = @name WHERE company_id = @company AND id % 3 = @r",
                        ("@name", $"Bulk{step}"), ("@company", company), ("@r", (long)random.Next(3)));
                    break;
                case 4:
                    await Db.WithContactAsync(company, random, id => Db.ExecuteAsync("DELETE FROM contact WHERE id = @id", ("@id", id)));
                    break;
                case 5:
                    if (random.Next(3) == 0)
                        await Db.ExecuteAsync("DELETE FROM contact WHERE company_id = @company AND id % 4 = @r", ("@company", company), ("@r", (long)random.Next(4)));
                    break;
                case 6 or 7:
                    await Db.WithContactAsync(company, random, async id =>
                    {
                        var tags = await Db.IdsAsync("SELECT id FROM tag WHERE company_id = @company ORDER BY id", ("@company", company));
                        if (tags.Count == 0) return 0;
                        return await Db.ExecuteAsync("INSERT INTO contact_tag (company_id, contact_id, tag_id) VALUES (@company, @id, @tag) ON CONFLICT DO NOTHING",
                            ("@company", company), ("@id", id), ("@tag", tags[random.Next(tags.Count)]));
                    });
                    break;
                case 8:
                    await Db.WithContactAsync(company, random, id => Db.ExecuteAsync("DELETE FROM contact_tag WHERE contact_id = @id AND tag_id IN (SELECT min(tag_id) FROM contact_tag WHERE contact_id = @id)", ("@id", id)));
                    break;
                case 9:
                    await Db.WithTagAsync(company, random, id => Db.ExecuteAsync(
                        (Db.Provider == DatabaseProvider.Postgres) ? "UPDATE tag SET name = @name WHERE id = @id" : "UPDATE tag SET name = @name, name_folded = @name WHERE id = @id",
                        ("@name", $"tag{++tagNames}"), ("@id", id)));
                    break;
                case 10:
                    await Db.WithTagAsync(company, random, id => Db.ExecuteAsync("UPDATE tag SET color = @color WHERE id = @id",
                        ("@color", random.Next(3) == 0 ? null : $"#{random.Next(0x1000000):x6}"), ("@id", id)));
                    break;
                case 11:
                    if (random.Next(2) == 0) await Db.WithTagAsync(company, random, id => Db.ExecuteAsync("DELETE FROM tag WHERE id = @id", ("@id", id)));
                    else await fixture.Data.TagAsync(company, $"tag{++tagNames}");
                    break;
                case 12:
                    // A move (MoveContactAsync: the contact's tags first, in the same transaction).
                    await Db.WithContactAsync(company, random, id => Db.MoveContactAsync(id, other));
                    break;
                case 13:
                    await HeldTransactionAsync(company, companies, copies, random, step, log);
                    break;
                case 14:
                    await InterleavedTransactionsAsync(companies, copies, random, step, log);
                    break;
                default:
                    var copy = copies[random.Next(2)];
                    await copy.PollAsync(random.Next(1, 6), random.Next(3) == 0 ? null : random.Next(1, 4));
                    break;
            }
        }

        var compared = 0;
        foreach (var copy in copies)
        {
            if (random.Next(2) == 0) await copy.PollAsync(random.Next(1, 8));
            else await copy.CatchUpAsync(random.Next(1, 8));
            await copy.AssertEqualsListingAsync();
            compared += copy.Contacts.Count;
        }
        return compared;
    }

    /// <summary>
    /// A transaction inserts contacts (with updated_at far in the past) and stays open while the jobs poll; on PostgreSQL
    /// other writers commit meanwhile (updates and tag changes, which do not wait for its locks). Then it commits, or
    /// sometimes rolls back.
    /// </summary>
    private async Task HeldTransactionAsync(long company, TestCompany[] companies, SyncedCopy[] copies, Random random, int step, List<string> log)
    {
        await using var connection = await OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        for (var i = 0; i < random.Next(1, 4); i++)
            await Db.InsertContactAsync(connection, transaction, company, $"Held{step}x{i}", new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        await copies[0].PollAsync(random.Next(1, 6));
        if ((Db.Provider == DatabaseProvider.Postgres))
        {
            var target = companies[random.Next(2)].Id;
            await Db.WithContactAsync(target, random, id => Db.ExecuteAsync("UPDATE contact SET first_name = @name WHERE id = @id",
                ("@name", $"During{step}"), ("@id", id)));
            await Db.WithTagAsync(target, random, id => Db.ExecuteAsync("UPDATE tag SET color = '#222222' WHERE id = @id", ("@id", id)));
        }
        await copies[1].PollAsync(random.Next(1, 6));
        await copies[0].PollAsync(random.Next(1, 6));
        if (random.Next(5) == 0)
        {
            log.Add($"step {step}: rolled back");
            await transaction.RollbackAsync();
        }
        else await transaction.CommitAsync();
    }

    /// <summary>
    /// Transactions of both companies at once. PostgreSQL: one writes the first company and updates a contact of the
    /// second, another writes the second and updates one of the first, interleaved with polls; they end in a random order,
    /// each committed or rolled back. SQLite (one writer): one transaction writes both companies across polls.
    /// </summary>
    private async Task InterleavedTransactionsAsync(TestCompany[] companies, SyncedCopy[] copies, Random random, int step, List<string> log)
    {
        var writers = Db.Provider == DatabaseProvider.Postgres ? 2 : 1;
        var open = new List<(DbConnection Connection, DbTransaction Transaction)>();
        try
        {
            for (var w = 0; w < writers; w++)
            {
                var connection = await OpenAsync();
                open.Add((connection, await connection.BeginTransactionAsync()));
            }
            for (var round = 0; round < 3; round++)
            {
                for (var w = 0; w < writers; w++)
                {
                    var (connection, transaction) = open[w];
                    var (mine, theirs) = (companies[(w + round) % 2].Id, companies[(w + round + 1) % 2].Id);
                    if (writers == 2) (mine, theirs) = (companies[w].Id, companies[1 - w].Id);
                    await Db.InsertContactAsync(connection, transaction, mine, $"Both{step}w{w}r{round}", Recent(random));
                    // The other company's contacts this writer alone updates (odd or even ids), so the writers never wait for each other.
                    var ids = await Db.IdsAsync("SELECT id FROM contact WHERE company_id = @company AND id % 2 = @w ORDER BY id", ("@company", theirs), ("@w", (long)w));
                    if (ids.Count > 0)
                        await Db.ExecuteAsync(connection, transaction, "UPDATE contact SET last_name = @name, updated_at = @updated WHERE id = @id",
                            ("@name", $"Across{step}w{w}r{round}"), ("@updated", Db.TimestampValue(Recent(random))), ("@id", ids[random.Next(ids.Count)]));
                    await copies[random.Next(2)].PollAsync(random.Next(1, 6), random.Next(1, 3));
                }
            }
            foreach (var w in Enumerable.Range(0, writers).OrderBy(_ => random.Next()))
            {
                if (random.Next(4) == 0)
                {
                    log.Add($"step {step}: writer {w} rolled back");
                    await open[w].Transaction.RollbackAsync();
                }
                else await open[w].Transaction.CommitAsync();
                await copies[random.Next(2)].PollAsync(random.Next(1, 6), random.Next(1, 3));
            }
        }
        finally
        {
            foreach (var (connection, transaction) in open)
            {
                await transaction.DisposeAsync();
                await connection.DisposeAsync();
            }
        }
    }

    private async Task<DbConnection> OpenAsync() => await Db.OpenAsync();

    private async Task InsertAsync(long company, string name, DateTime updated)
    {
        await using var connection = await OpenAsync();
        await Db.InsertContactAsync(connection, null, company, name, updated);
    }



    private static DateTime Recent(Random random) =>
        new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(random.Next(10_000_000)).AddMilliseconds(random.Next(1000));
}

public sealed class SqliteChangeFeedModelTests(SqliteAppFixture fixture, ITestOutputHelper output)
    : ChangeFeedModelTests(fixture, output), IClassFixture<SqliteAppFixture>;

public sealed class PostgresChangeFeedModelTests(PostgresAppFixture fixture, ITestOutputHelper output)
    : ChangeFeedModelTests(fixture, output), IClassFixture<PostgresAppFixture>;
