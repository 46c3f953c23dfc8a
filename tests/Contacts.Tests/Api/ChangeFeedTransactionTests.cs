using System.Globalization;
using Contacts.Client;
using Contacts.Tests.Infrastructure;

namespace Contacts.Tests.Api;

/// <summary>
/// PostgreSQL (SQLite has one writer at a time): a writer transaction that began before a poll and commits after later ones. Its contact carries an
/// updated_at older than anything the client has seen, so updated_since skips it for good; the feed, whose cursor rests
/// on transaction visibility, still delivers it once it commits.
/// </summary>
public sealed class ChangeFeedTransactionTests(PostgresAppFixture fixture) : IClassFixture<PostgresAppFixture>
{
    [SkippableFact]
    public async Task AWriterTransactionHeldOpenAcrossTwoPollsStillArrivesAfterItCommits()
    {
        var db = fixture.Database.Db;
        var company = await fixture.Data.CompanyAsync();
        var early = await fixture.Data.ContactAsync(company.Id, "Early", email: "early@x.test", updated: DateTime.UtcNow);
        var later = await fixture.Data.ContactAsync(company.Id, "Later", email: "later@x.test", updated: DateTime.UtcNow);
        using var client = ContactsClient.Create(fixture.App.Address, company.Key);
        var copy = new SyncedCopy(client);
        await copy.PollAsync(100);
        Assert.Equal([Id(early), Id(later)], copy.Contacts.Keys.Order());

        await using var slow = await db.OpenAsync();
        await using var transaction = await slow.BeginTransactionAsync();
        var held = await db.InsertContactAsync(slow, transaction, company.Id, "Held", DateTime.UtcNow.AddMinutes(-10));
        // A later transaction commits while the first is still open (an update: inserts into the same company wait for
        // the first transaction's lock on the company's contact counter).
        await db.ExecuteAsync("UPDATE contact SET first_name = 'Later2', updated_at = @now WHERE id = @id",
            ("@now", db.TimestampValue(DateTime.UtcNow)), ("@id", later));
        var watermark = DateTime.UtcNow.AddMinutes(-1);

        await copy.PollAsync(100);
        Assert.DoesNotContain(Id(held), copy.Contacts.Keys);
        await copy.PollAsync(100);
        Assert.DoesNotContain(Id(held), copy.Contacts.Keys);

        await transaction.CommitAsync();
        await copy.PollAsync(100);

        Assert.Equal(new[] { early, held, later }.Select(Id).Order(), copy.Contacts.Keys.Order());
        Assert.Equal("Later2", copy.Contacts[Id(later)].FirstName);
        await copy.AssertEqualsListingAsync();
        // What updated_since would have done with a watermark taken between the polls: the held contact is lost to it.
        var sinceWatermark = await client.GetAllContactsAsync(new ContactsQuery { UpdatedSince = watermark }).Select(c => c.Id).ToListAsync();
        Assert.DoesNotContain(Id(held), sinceWatermark);
    }

    /// <summary>
    /// Positions are per company: another company's transaction, open for as long as it likes (an import, a batch job, a
    /// session left idle in transaction), holds nothing back. With the cluster's xmin as the horizon this change waited
    /// for the other transaction to end.
    /// </summary>
    [SkippableFact]
    public async Task AnotherCompanysOpenTransactionDoesNotDelayThisCompanysFeed()
    {
        var db = fixture.Database.Db;
        var (busy, quiet) = (await fixture.Data.CompanyAsync(), await fixture.Data.CompanyAsync());
        var contact = await fixture.Data.ContactAsync(quiet.Id, "Quiet", email: "quiet@x.test");
        using var client = ContactsClient.Create(fixture.App.Address, quiet.Key);
        var copy = new SyncedCopy(client);
        await copy.PollAsync(100);

        await using var other = await db.OpenAsync();
        await using var held = await other.BeginTransactionAsync();
        await db.InsertContactAsync(other, held, busy.Id, "Importing", DateTime.UtcNow);
        await db.ExecuteAsync("UPDATE contact SET first_name = 'Quieter', updated_at = @now WHERE id = @id",
            ("@now", db.TimestampValue(DateTime.UtcNow)), ("@id", contact));

        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (copy.Contacts[Id(contact)].FirstName != "Quieter" && clock.Elapsed < TimeSpan.FromSeconds(1))
            await copy.PollAsync(100);
        Assert.Equal("Quieter", copy.Contacts[Id(contact)].FirstName);
        await held.RollbackAsync();
    }

    /// <summary>
    /// A position is drawn at commit, and a later commit of the same company gets a higher one: here the first writer's
    /// commit drew its position and is slowed (a deferred trigger of another application sleeps after ours) while a
    /// second writer commits and the client polls. Were positions drawn without the company's lock, the second would
    /// commit first with the higher position, the poll would move past the first's, and its contact would never come.
    /// </summary>
    [SkippableFact]
    public async Task ALaterCommitNeverOvertakesAPositionDrawnBeforeIt()
    {
        var db = fixture.Database.Db;
        var company = await fixture.Data.CompanyAsync();
        var existing = await fixture.Data.ContactAsync(company.Id, "Existing", email: "existing@x.test");
        using var client = ContactsClient.Create(fixture.App.Address, company.Key);
        var copy = new SyncedCopy(client);
        await copy.PollAsync(100);
        var slow = "slow_commit_" + Guid.NewGuid().ToString("N")[..8];
        await db.ExecuteAsync($"""
            CREATE TABLE {slow} (x integer);
            CREATE FUNCTION {slow}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(1.5); RETURN NULL; END $$;
            CREATE CONSTRAINT TRIGGER {slow} AFTER INSERT ON {slow} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {slow}();
            """);

        await using var first = await db.OpenAsync();
        var transaction = await first.BeginTransactionAsync();
        var drawnFirst = await db.InsertContactAsync(first, transaction, company.Id, "DrawnFirst", DateTime.UtcNow);
        await db.ExecuteAsync(first, transaction, $"INSERT INTO {slow} VALUES (1)");
        var firstCommit = transaction.CommitAsync();
        await Task.Delay(300); // the first commit has drawn its position and sleeps
        var secondCommit = db.ExecuteAsync("UPDATE contact SET first_name = 'CommittedSecond' WHERE id = @id", ("@id", existing));
        while (!firstCommit.IsCompleted || !secondCommit.IsCompleted) await copy.PollAsync(100);
        await firstCommit;
        await secondCommit;
        await copy.PollAsync(100);

        Assert.Contains(Id(drawnFirst), copy.Contacts.Keys);
        Assert.Equal("CommittedSecond", copy.Contacts[Id(existing)].FirstName);
        await copy.AssertEqualsListingAsync();
        await transaction.DisposeAsync();
    }

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);
}
