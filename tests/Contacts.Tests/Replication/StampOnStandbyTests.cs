using Contacts.Data;
using Contacts.Data.Changes;
using Contacts.Data.Contacts;
using Contacts.Data.Replication;
using Contacts.Data.Tags;
using Contacts.Tests.Infrastructure;

namespace Contacts.Tests.Replication;

/// <summary>
/// The ETag's stamp (docs/api.md#conditional-requests) comes from the node that served the page: a standby that has not
/// replayed a write answers its older page with its older stamp, never with the primary's newer one, which would let a
/// stale copy be confirmed as current.
/// </summary>
public sealed class StampOnStandbyTests(ReplicaFailoverFixture fixture) : IClassFixture<ReplicaFailoverFixture>
{
    [SkippableFact]
    public async Task APageReadOnALaggingStandbyCarriesTheStandbysStampNotThePrimarys()
    {
        await fixture.BothUpAsync();
        var company = await fixture.Data.CompanyAsync();
        var contact = await fixture.Data.ContactAsync(company.Id, "Ada", "Before");
        await fixture.Servers.WaitForReplayAsync();
        await using var primaryOnly = new ContactsDatabase(new DatabaseOptions
        {
            Provider = DatabaseProvider.Postgres, ConnectionString = fixture.Database.ConnectionString,
        });
        await using var db = fixture.ReplicatedDatabase();
        var standby = db.Replicas!.Standbys[0];
        await Eventually.TrueAsync("the standby is up", () => standby.Status.State == NodeState.Up);
        var before = await ChangeStamp.ReadAsync(primaryOnly, company.Id, CancellationToken.None);

        await fixture.Servers.PauseReplayAsync();
        try
        {
            // The pause takes effect at the standby's next WAL record: write until one write stays unreplayed.
            var attempt = 0;
            await Eventually.TrueAsync("a write the paused standby has not replayed", async () =>
            {
                await Contacts.Tests.Api.ChangeFeedSupport.ExecuteAsync(fixture.Database.Db, "UPDATE contact SET first_name = @name WHERE id = @id",
                    ("@name", $"After {++attempt}"), ("@id", contact));
                await db.Replicas.ProbeAsync(CancellationToken.None);
                return standby.Status.ReplayLsn < await ReplicatedServers.ScalarAsync<NpgsqlTypes.NpgsqlLogSequenceNumber>(
                    fixture.Database.ConnectionString, "SELECT pg_current_wal_lsn()");
            });
            var current = await ChangeStamp.ReadAsync(primaryOnly, company.Id, CancellationToken.None);
            Assert.NotEqual(before, current);
            var standbyReads = standby.Reads;

            var list = await ContactQueries.ListAsync(db, company.Id, new PageWindow(10, 0), ContactFilter.None);
            var one = await ContactQueries.FindAsync(db, company.Id, contact);
            var tags = await TagQueries.ListAsync(db, company.Id, new PageWindow(10, 0), null);
            var feed = await ChangeFeedQueries.ReadAsync(db, company.Id, null, 10, CancellationToken.None);

            Assert.Equal(standbyReads + 4, standby.Reads);
            Assert.Equal("Ada", Assert.Single(list.Rows).FirstName);
            Assert.Equal("Ada", one.Contact!.FirstName);
            Assert.Equal([before, before, before, before], new[] { list.Stamp, one.Stamp, tags.Stamp, feed.Stamp });
        }
        finally
        {
            await fixture.Servers.ResumeReplayAsync();
        }
    }
}
