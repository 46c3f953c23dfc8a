using System.Buffers.Binary;
using System.Buffers.Text;
using Contacts.Api;
using Contacts.Contracts;
using Contacts.Data;
using Contacts.Data.Changes;
using Contacts.Data.Replication;
using Contacts.Tests.Api;
using Contacts.Tests.Infrastructure;

namespace Contacts.Tests.Replication;

/// <summary>
/// The change feed over a primary and a standby (issue 13, bounded staleness): polls read on the standby, and a poll
/// never lands on a node that has not replayed what the previous poll's node had seen. Each test builds its own
/// ContactsDatabase with a lag bound of an hour, so that only the cursor's WAL position can rule the paused standby out.
/// </summary>
public sealed class ChangeFeedOnStandbyTests(ReplicaFailoverFixture fixture) : IClassFixture<ReplicaFailoverFixture>
{
    [SkippableFact]
    public async Task FeedPollsAreServedByAStandbyThatHasReplayedTheCursorsPosition()
    {
        await fixture.BothUpAsync();
        var company = await fixture.Data.CompanyAsync();
        for (var i = 0; i < 5; i++) await fixture.Data.ContactAsync(company.Id, "Standby", $"Reader {i}");
        await fixture.Servers.WaitForReplayAsync();
        await using var db = Replicated();
        var standby = db.Replicas!.Standbys[0];
        await Eventually.TrueAsync("the standby is up", () => standby.Status.State == NodeState.Up);
        var (standbyReads, primaryReads) = (standby.Reads, db.Replicas.Primary.Reads);

        ChangeCursor? cursor = null;
        var received = 0;
        var polls = 0;
        bool more;
        do
        {
            // A fresh probe, so that the standby's known replay position is the one the last poll read.
            await db.Replicas.ProbeAsync(CancellationToken.None);
            var page = await PollAsync(db, company.Id, cursor, limit: 2);
            polls++;
            received += page.Data.Count;
            cursor = Decode(page.NextCursor, company.Id);
            Assert.True(cursor.Position.WalPosition > 0, "a PostgreSQL cursor carries the WAL position of the node that answered");
            more = page.HasMore;
        } while (more);

        Assert.Equal(5, received);
        Assert.Equal(standbyReads + polls, standby.Reads);
        Assert.Equal(primaryReads, db.Replicas.Primary.Reads);
    }

    [SkippableFact]
    public async Task APollNeverLandsOnAStandbyBehindThePositionThePreviousPollSaw()
    {
        await fixture.BothUpAsync();
        var company = await fixture.Data.CompanyAsync();
        var first = await fixture.Data.ContactAsync(company.Id, "Ada", "First");
        await fixture.Data.ContactAsync(company.Id, "Bo", "Second");
        var last = await fixture.Data.ContactAsync(company.Id, "Cy", "Before");
        await fixture.Servers.WaitForReplayAsync();
        // Another service instance that reads on the primary only, as an instance configured without standbys would.
        await using var primaryOnly = new ContactsDatabase(new DatabaseOptions
        {
            Provider = DatabaseProvider.Postgres, ConnectionString = fixture.Database.ConnectionString,
        });
        await using var db = Replicated();
        var standby = db.Replicas!.Standbys[0];
        await Eventually.TrueAsync("the standby is up", () => standby.Status.State == NodeState.Up);

        await fixture.Servers.PauseReplayAsync();
        try
        {
            // The pause takes effect at the standby's next WAL record: rename until one rename stays unreplayed.
            var name = "";
            var attempt = 0;
            await Eventually.TrueAsync("a rename the paused standby has not replayed", async () =>
            {
                name = $"After {++attempt}";
                await RenameAsync(last, name);
                await db.Replicas.ProbeAsync(CancellationToken.None);
                return standby.Status.ReplayLsn < await PrimaryPositionAsync();
            });
            // The walk must begin past the rename, so that only the walk itself can deliver it.

            var copy = new Dictionary<string, Contact>(StringComparer.Ordinal);
            var page = await PollAsync(primaryOnly, company.Id, null, limit: 1);
            Apply(copy, page);
            Assert.Equal(first.ToString(System.Globalization.CultureInfo.InvariantCulture), Assert.Single(copy).Key);
            var standbyReads = standby.Reads;
            while (page.HasMore)
            {
                await db.Replicas.ProbeAsync(CancellationToken.None);
                Assert.Equal(NodeState.Up, standby.Status.State); // eligible for plain reads: only the cursor rules it out
                page = await PollAsync(db, company.Id, Decode(page.NextCursor, company.Id), limit: 1);
                Apply(copy, page);
            }

            Assert.Equal(3, copy.Count);
            Assert.Equal(name, copy[last.ToString(System.Globalization.CultureInfo.InvariantCulture)].FirstName);
            Assert.Equal(standbyReads, standby.Reads);
        }
        finally
        {
            await fixture.Servers.ResumeReplayAsync();
        }
    }

    [SkippableFact]
    public async Task ACursorFromBeforeWalPositionsReadsOnThePrimary()
    {
        await fixture.BothUpAsync();
        var company = await fixture.Data.CompanyAsync();
        await fixture.Data.ContactAsync(company.Id, "Old", "Cursor");
        await fixture.Servers.WaitForReplayAsync();
        await using var db = Replicated();
        var standby = db.Replicas!.Standbys[0];
        await Eventually.TrueAsync("the standby is up", () => standby.Status.State == NodeState.Up);
        var walked = await PollAsync(db, company.Id, null, limit: 10);
        var log = Decode(walked.NextCursor, company.Id);
        // Version 1: version, kind, company, seq, contact id; no WAL position.
        var bytes = new byte[26];
        bytes[0] = 1;
        bytes[1] = (byte)log.Position.Kind;
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(2), company.Id);
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(10), log.Position.Seq);
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(18), log.Position.ContactId);
        var old = Decode(Base64Url.EncodeToString(bytes), company.Id);
        Assert.Equal(ChangeCursor.UnknownWalPosition, old.Position.WalPosition);

        await db.Replicas.ProbeAsync(CancellationToken.None);
        var (standbyReads, primaryReads) = (standby.Reads, db.Replicas.Primary.Reads);
        var page = await PollAsync(db, company.Id, old, limit: 10);

        Assert.Empty(page.Data);
        Assert.Equal(primaryReads + 1, db.Replicas.Primary.Reads);
        Assert.Equal(standbyReads, standby.Reads);
    }

    private ContactsDatabase Replicated() => fixture.ReplicatedDatabase();

    private static async Task<ChangesPage> PollAsync(ContactsDatabase db, long company, ChangeCursor? cursor, int limit) =>
        (await ChangeFeedQueries.ReadAsync(db, company, cursor?.Position, limit, CancellationToken.None)).Page is { } page
            ? new ChangesPage(page.Changes, new ChangeCursor(company, page.Next).Encode(), page.HasMore)
            : throw new InvalidOperationException("the cursor expired");

    private static ChangeCursor Decode(string text, long company) =>
        ChangeCursor.TryDecode(text, company, out var cursor) ? cursor! : throw new InvalidOperationException($"cursor '{text}' does not decode");

    private static void Apply(Dictionary<string, Contact> copy, ChangesPage page)
    {
        foreach (var change in page.Data)
        {
            switch (change)
            {
                case ContactUpsert upsert: copy[upsert.Contact.Id] = upsert.Contact; break;
                case ContactDelete delete: copy.Remove(delete.Id); break;
            }
        }
    }

    private async Task RenameAsync(long contact, string name)
    {
        await using var connection = await fixture.Database.Db.OpenAsync();
        await using var command = fixture.Database.Db.Command(connection, "UPDATE contact SET first_name = @name WHERE id = @id");
        ContactsDatabase.AddParameter(command, "@name", name);
        ContactsDatabase.AddParameter(command, "@id", contact);
        await command.ExecuteNonQueryAsync();
    }

    private Task<NpgsqlTypes.NpgsqlLogSequenceNumber> PrimaryPositionAsync() =>
        ReplicatedServers.ScalarAsync<NpgsqlTypes.NpgsqlLogSequenceNumber>(fixture.Database.ConnectionString, "SELECT pg_current_wal_lsn()");
}
