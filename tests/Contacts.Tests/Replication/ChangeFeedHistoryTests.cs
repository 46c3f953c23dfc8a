using System.Globalization;
using System.Net;
using System.Text.Json;
using Contacts.Data;
using Contacts.Tests.Api;
using Contacts.Tests.Infrastructure;
using static Contacts.Tests.Api.ContractAssert;
using static Contacts.Tests.Api.FeedPages;

namespace Contacts.Tests.Replication;

/// <summary>
/// A change-feed cursor points into one history of the database (issue 18, item 2). Served by a database that does not
/// hold that history (a standby promoted after missing the last transactions, a dump restored into a new cluster), it
/// answers 410, before and after new writes there, never a 200 that skips changes; on the same cluster it keeps working.
/// Only the HTTP contract is used: the cursor's format is changing. Each test starts its own servers and removes them.
/// </summary>
public sealed class ChangeFeedHistoryTests : IAsyncLifetime
{

    // A PostgreSQL sequence logs 32 values ahead of the last one used: at least this many writes pass it too.
    private const int AtLeastNewWrites = 40;

    private readonly List<Func<Task>> _cleanup = [];

    [SkippableFact]
    public async Task ACursorFromTransactionsAPromotedStandbyNeverReceivedAnswers410()
    {
        var servers = await ReplicatedServers.StartAsync(synchronous: false);
        _cleanup.Add(() => servers.DisposeAsync().AsTask());
        Ci.SkipIf(servers.UnavailableReason is not null, servers.UnavailableReason);
        var standby = servers.Standby!;
        var (primaryConnection, standbyConnection) = await servers.CreateDatabaseAsync();
        var primary = Own(TestDatabase.Unmigrated(DatabaseProvider.Postgres, primaryConnection));
        await Migrator.MigrateAsync(primary.Db);
        var company = await new TestData(primary).CompanyAsync();
        var kept = new List<long>();
        for (var i = 0; i < 3; i++) kept.Add(await new TestData(primary).ContactAsync(company.Id, "Kept", i.ToString(CultureInfo.InvariantCulture)));

        string cursor;
        await using (var app = await TestApp.StartAsync(primary))
        {
            using var client = app.ClientWithKey(company.Key);
            var (synced, end) = await ChangesAsync(client, null, count: 3);
            Assert.Equal(kept, synced.Select(Id).Distinct()); // a walk may send a change twice
            await servers.WaitForReplayAsync();
            await standby.StopAsync();

            // Only the primary ever has these: the standby is stopped.
            var lost = await new TestData(primary).ContactAsync(company.Id, "Lost", "Insert");
            await primary.Db.ExecuteAsync("UPDATE contact SET first_name = 'Lost update' WHERE id = @id", ("@id", kept[0]));
            await primary.Db.ExecuteAsync("DELETE FROM contact WHERE id = @id", ("@id", kept[1]));
            (var seen, cursor) = await ChangesAsync(client, end, count: 3);
            Assert.Equal([("upsert", lost), ("upsert", kept[0]), ("delete", kept[1])], seen.Select(i => (Type(i), Id(i))));
        }
        var reached = await MarkAsync(primary);
        await servers.Primary.StopImmediatelyAsync();
        await standby.StartDisconnectedAsync();
        await standby.PromoteAsync();

        var promoted = Own(TestDatabase.Unmigrated(DatabaseProvider.Postgres, standbyConnection));
        Assert.Equal(kept, await CompanyContactIdsAsync(promoted, company.Id)); // the setup: the promoted server lacks the three writes
        await using var promotedApp = await TestApp.StartAsync(promoted);
        using var promotedClient = promotedApp.ClientWithKey(company.Key);

        await AssertGoneAsync(promotedClient, cursor, "before any write on the promoted standby");
        var added = await WriteUntilPastAsync(promoted, company.Id, reached);
        await AssertGoneAsync(promotedClient, cursor, $"after {added.Count} new contacts on the promoted standby");
        await AssertStartingAgainGivesExactlyAsync(promotedClient, [.. kept, .. added]);
    }

    [SkippableFact]
    public async Task ACursorFromAfterADumpAnswers410OnTheRestoredCluster()
    {
        var original = await ServerAsync();
        var database = Own(await TestDatabase.PostgresAsync(original));
        var company = await new TestData(database).CompanyAsync();
        var kept = new List<long>();
        for (var i = 0; i < 3; i++) kept.Add(await new TestData(database).ContactAsync(company.Id, "Kept", i.ToString(CultureInfo.InvariantCulture)));

        string cursor;
        PostgresDump dump;
        await using (var app = await TestApp.StartAsync(database))
        {
            using var client = app.ClientWithKey(company.Key);
            var (synced, end) = await ChangesAsync(client, null, count: 3);
            Assert.Equal(kept, synced.Select(Id).Distinct()); // a walk may send a change twice
            dump = await original.DumpAsync(database.ConnectionString);

            // Not in the dump.
            var lost = await new TestData(database).ContactAsync(company.Id, "Lost", "Insert");
            await database.Db.ExecuteAsync("UPDATE contact SET first_name = 'Lost update' WHERE id = @id", ("@id", kept[0]));
            await database.Db.ExecuteAsync("DELETE FROM contact WHERE id = @id", ("@id", kept[1]));
            (var seen, cursor) = await ChangesAsync(client, end, count: 3);
            Assert.Equal([("upsert", lost), ("upsert", kept[0]), ("delete", kept[1])], seen.Select(i => (Type(i), Id(i))));
        }
        var reached = await MarkAsync(database);
        await original.StopAsync();

        var fresh = await ServerAsync();
        var restored = Own(TestDatabase.Unmigrated(DatabaseProvider.Postgres, await fresh.RestoreAsync(dump)));
        Assert.Equal(kept, await CompanyContactIdsAsync(restored, company.Id)); // the setup: the restored cluster lacks the three writes
        await using var restoredApp = await TestApp.StartAsync(restored);
        using var restoredClient = restoredApp.ClientWithKey(company.Key);

        await AssertGoneAsync(restoredClient, cursor, "before any write on the restored cluster");
        var added = await WriteUntilPastAsync(restored, company.Id, reached);
        await AssertGoneAsync(restoredClient, cursor, $"after {added.Count} new contacts on the restored cluster");
        await AssertStartingAgainGivesExactlyAsync(restoredClient, [.. kept, .. added]);
    }

    [SkippableFact]
    public async Task ACursorKeepsWorkingAcrossARestartOfTheSameCluster()
    {
        var server = await ServerAsync();
        var database = Own(await TestDatabase.PostgresAsync(server));
        var company = await new TestData(database).CompanyAsync();
        var kept = new List<long>();
        for (var i = 0; i < 3; i++) kept.Add(await new TestData(database).ContactAsync(company.Id, "Kept", i.ToString(CultureInfo.InvariantCulture)));
        // Failed database calls while the server is down are logged at Error: expected here, noise in the output.
        await using var app = await TestApp.StartAsync(database, "--Logging:LogLevel:Default=None");
        using var client = app.ClientWithKey(company.Key);
        var (_, cursor) = await ChangesAsync(client, null, count: 3);

        await server.StopAsync();
        await server.StartAsync();
        // The tests' own pool holds connections the stop ended: a new one.
        var restarted = Own(TestDatabase.Unmigrated(DatabaseProvider.Postgres, database.ConnectionString));

        var idle = await ChangesAfterRestartAsync(client, cursor);
        Assert.Empty(idle.GetProperty("data").EnumerateArray());
        Assert.False(idle.GetProperty("has_more").GetBoolean());

        var added = await new TestData(restarted).ContactAsync(company.Id, "After", "Restart");
        await restarted.Db.ExecuteAsync("UPDATE contact SET first_name = 'Updated' WHERE id = @id", ("@id", kept[0]));
        await restarted.Db.ExecuteAsync("DELETE FROM contact WHERE id = @id", ("@id", kept[1]));
        var (seen, _) = await ChangesAsync(client, cursor, count: 3);
        Assert.Equal([("upsert", added), ("upsert", kept[0]), ("delete", kept[1])], seen.Select(i => (Type(i), Id(i))));

        // A new service instance over the restarted cluster reads the same cursor the same way.
        await using var again = await TestApp.StartAsync(restarted);
        using var againClient = again.ClientWithKey(company.Key);
        var (seenAgain, _) = await DrainAsync(againClient, cursor);
        Assert.Equal([("upsert", added), ("upsert", kept[0]), ("delete", kept[1])], seenAgain.Select(i => (Type(i), Id(i))));
    }

    /// <summary>
    /// SQLite cannot tell an older copy of its file from the original: a cursor from after the copy is ahead of the
    /// copy's positions (410) until new writes pass it; `contacts history restart` then ends every earlier cursor.
    /// </summary>
    [Fact]
    public async Task AnOlderCopyOfTheSqliteFileAnswers410AndHistoryRestartEndsEveryEarlierCursor()
    {
        var database = Own(await TestDatabase.SqliteAsync());
        var company = await new TestData(database).CompanyAsync();
        var kept = new List<long>();
        for (var i = 0; i < 3; i++) kept.Add(await new TestData(database).ContactAsync(company.Id, "Kept", i.ToString(CultureInfo.InvariantCulture)));
        var file = database.Db.SqliteFile!;
        string early, cursor;
        await using (var app = await TestApp.StartAsync(database))
        {
            using var client = app.ClientWithKey(company.Key);
            (_, early) = await ChangesAsync(client, null, count: 3);
            await database.Db.ExecuteAsync($"VACUUM INTO '{file}.copy'");
            await new TestData(database).ContactAsync(company.Id, "Lost", "Insert");
            await database.Db.ExecuteAsync("UPDATE contact SET first_name = 'Lost update' WHERE id = @id", ("@id", kept[0]));
            (_, cursor) = await ChangesAsync(client, early, count: 2);
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "-wal", "-shm" }) File.Delete(file + suffix);
        File.Move(file + ".copy", file, overwrite: true);

        await using (var app = await TestApp.StartAsync(database))
        {
            using var client = app.ClientWithKey(company.Key);
            await AssertGoneAsync(client, cursor, "on the older copy");
            var (unchanged, _) = await DrainAsync(client, early);
            Assert.Empty(unchanged); // a cursor from before the copy was taken still holds

            await Cli.CliRunner.OkAsync(database, "history", "restart");
            await AssertGoneAsync(client, early, "after history restart, a cursor from before the copy");
            await AssertStartingAgainGivesExactlyAsync(client, kept);
        }
    }

    private async Task<PostgresServer> ServerAsync()
    {
        var server = new PostgresServer();
        _cleanup.Add(server.DisposeAsync);
        await server.InitializeAsync();
        Ci.SkipIf(server.UnavailableReason is not null, server.UnavailableReason);
        return server;
    }

    private TestDatabase Own(TestDatabase database)
    {
        _cleanup.Add(() => database.DisposeAsync().AsTask());
        return database;
    }

    private static async Task AssertGoneAsync(HttpClient client, string cursor, string when)
    {
        using var response = await client.GetAsync(new Uri($"{ChangesPath}?cursor={Uri.EscapeDataString(cursor)}", UriKind.Relative));
        if (response.StatusCode != HttpStatusCode.Gone)
            Assert.Fail($"{when}: the cursor answered {await DescribeAsync(response)}, not 410 Gone");
        var problem = await ProblemAsync(response, HttpStatusCode.Gone);
        Assert.Contains("without a cursor", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private static async Task<string> DescribeAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK) return $"{(int)response.StatusCode}: {body}";
        using var page = JsonDocument.Parse(body);
        var items = page.RootElement.GetProperty("data").EnumerateArray().Select(i => $"{Type(i)} {Id(i)}").ToList();
        return $"200 with {items.Count} items [{string.Join(", ", items)}], has_more {page.RootElement.GetProperty("has_more").GetBoolean()}";
    }

    /// <summary>
    /// Inserts contacts into the company, one transaction each, until the server has passed what the lost history had
    /// reached in transaction ids and in WAL (switching WAL segments when behind, which costs nothing), so that a position
    /// taken from either is past the cursor's. The new contacts' ids.
    /// </summary>
    private static async Task<List<long>> WriteUntilPastAsync(TestDatabase database, long company, (long NextXid, long Wal) reached)
    {
        var added = new List<long>();
        while (true)
        {
            added.Add(await new TestData(database).ContactAsync(company, "New", added.Count.ToString(CultureInfo.InvariantCulture)));
            var now = await MarkAsync(database);
            if (added.Count >= AtLeastNewWrites && now.NextXid > reached.NextXid && now.Wal > reached.Wal) break;
            if (now.Wal <= reached.Wal) await database.Db.ExecuteAsync("SELECT pg_switch_wal()");
            if (added.Count > 20_000) throw new InvalidOperationException($"20,000 writes did not pass {reached}; now at {now}.");
        }
        return added;
    }

    /// <summary>The next transaction id and the WAL insert position of the database's server.</summary>
    private static async Task<(long NextXid, long Wal)> MarkAsync(TestDatabase database)
    {
        await using var connection = await database.Db.OpenAsync();
        await using var command = database.Db.Command(connection,
            "SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint, (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::bigint");
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private static Task<List<long>> CompanyContactIdsAsync(TestDatabase database, long company) =>
        database.Db.IdsAsync("SELECT id FROM contact WHERE company_id = @company ORDER BY id", ("@company", company));

    /// <summary>A client that starts again without a cursor holds, at the end, exactly these contacts, as the listing shows them.</summary>
    private static async Task AssertStartingAgainGivesExactlyAsync(HttpClient client, List<long> expected)
    {
        var (items, _) = await DrainAsync(client, null);
        var copy = new SortedDictionary<long, string>();
        foreach (var item in items)
        {
            if (Type(item) == "upsert") copy[Id(item)] = item.GetProperty("contact").GetRawText();
            else copy.Remove(Id(item));
        }
        Assert.Equal(expected.Order(), copy.Keys);
        Assert.Equal(await ListingAsync(client), copy);
    }

    private static async Task<SortedDictionary<long, string>> ListingAsync(HttpClient client)
    {
        var listed = new SortedDictionary<long, string>();
        for (var page = 1; ; page++)
        {
            var body = await PageAsync(client, $"{ContactsPath}?limit=100&page={page}");
            foreach (var contact in body.GetProperty("data").EnumerateArray())
                listed[long.Parse(contact.GetProperty("id").GetString()!, CultureInfo.InvariantCulture)] = contact.GetRawText();
            if (page >= body.GetProperty("totalPages").GetInt32()) return listed;
        }
    }

    /// <summary>The first poll after the restart: the service's pool may hold connections the restart ended (503, retry).</summary>
    private static async Task<JsonElement> ChangesAfterRestartAsync(HttpClient client, string cursor)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            using var response = await client.GetAsync(new Uri($"{ChangesPath}?cursor={Uri.EscapeDataString(cursor)}", UriKind.Relative));
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable || DateTime.UtcNow > deadline)
            {
                if (response.StatusCode != HttpStatusCode.OK) Assert.Fail($"after the restart the cursor answered {await DescribeAsync(response)}, not 200");
                return await JsonAsync(response);
            }
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// Polls from the cursor until at least count items have come (a change appears once the transactions older than it
    /// have ended, so the service's own may hold it back a moment): the items and the last cursor.
    /// </summary>
    private static async Task<(List<JsonElement> Items, string Cursor)> ChangesAsync(HttpClient client, string? cursor, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        var items = new List<JsonElement>();
        while (true)
        {
            var (page, next) = await DrainAsync(client, cursor);
            items.AddRange(page);
            cursor = next;
            if (items.Count >= count) return (items, cursor);
            if (DateTime.UtcNow > deadline) Assert.Fail($"{items.Count} of {count} changes came within a minute.");
            await Task.Delay(50);
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Databases, then servers: the reverse of their making, every one whatever fails (each test disposes its services).</summary>
    public async Task DisposeAsync()
    {
        var failures = new List<Exception>();
        for (var i = _cleanup.Count - 1; i >= 0; i--)
        {
            try
            {
                await _cleanup[i]();
            }
            catch (Exception e)
            {
                failures.Add(e);
            }
        }
        if (failures.Count > 0) throw new AggregateException(failures);
    }
}
