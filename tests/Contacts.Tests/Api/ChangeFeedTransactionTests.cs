using System.Globalization;
using Contacts.Client;
using Contacts.Tests.Infrastructure;

namespace Contacts.Tests.Api;

/// <summary>
/// PostgreSQL: a writer transaction that began before a poll and commits after later ones. Its contact carries an
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
        await db.WaitForFeedHorizonAsync();
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
        await db.WaitForFeedHorizonAsync();
        await copy.PollAsync(100);

        Assert.Equal(new[] { early, held, later }.Select(Id).Order(), copy.Contacts.Keys.Order());
        Assert.Equal("Later2", copy.Contacts[Id(later)].FirstName);
        await copy.AssertEqualsListingAsync();
        // What updated_since would have done with a watermark taken between the polls: the held contact is lost to it.
        var sinceWatermark = await client.GetAllContactsAsync(new ContactsQuery { UpdatedSince = watermark }).Select(c => c.Id).ToListAsync();
        Assert.DoesNotContain(Id(held), sinceWatermark);
    }

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);
}
