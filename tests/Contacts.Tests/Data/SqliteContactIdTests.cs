using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Contacts.Data;
using Contacts.Tests.Api;
using Contacts.Tests.Cli;
using Contacts.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using static Contacts.Tests.Api.ContractAssert;
using static Contacts.Tests.Api.FeedPages;

namespace Contacts.Tests.Data;

/// <summary>
/// SQLite never gives a contact id twice (migration 0008: AUTOINCREMENT): after the contact with the highest id is
/// deleted, even by plain SQL without foreign keys, a new contact gets a higher id, none of the old one's tags, and the
/// change feed sends the delete. Every connection the service opens enforces foreign keys.
/// </summary>
public sealed class SqliteContactIdTests(SqliteAppFixture fixture) : IClassFixture<SqliteAppFixture>
{
    private ContactsDatabase Db => fixture.Database.Db;

    [Fact]
    public async Task AContactImportedAfterTheHighestIdWasDeletedWithoutForeignKeysGetsAHigherIdNoOldTagsAndTheFeedSendsTheDelete()
    {
        var company = await fixture.Data.CompanyAsync();
        var vip = await fixture.Data.TagAsync(company.Id, "Vip");
        var kept = await fixture.Data.ContactAsync(company.Id, "Kept", email: "kept@x.test", tags: [vip]);
        var old = await fixture.Data.ContactAsync(company.Id, "Old", email: "old@x.test", tags: [vip]);
        Assert.Equal(old, (await Db.IdsAsync("SELECT max(id) FROM contact")).Single());
        using var client = fixture.App.ClientWithKey(company.Key);
        var (synced, cursor) = await DrainAsync(client, null, limit: 1);
        Assert.Equal([kept, old], synced.Where(i => Type(i) == "upsert").Select(Id).Order());

        // As the sqlite3 shell does it: foreign keys off, so the old contact's contact_tag row stays behind.
        await using (var shell = new SqliteConnection(fixture.Database.ConnectionString + ";Foreign Keys=False;Pooling=False"))
        {
            await shell.OpenAsync();
            await using var delete = shell.CreateCommand();
            delete.CommandText = $"DELETE FROM contact WHERE id = {old}";
            Assert.Equal(1, await delete.ExecuteNonQueryAsync());
        }
        Assert.Equal([vip], await Db.IdsAsync("SELECT tag_id FROM contact_tag WHERE contact_id = @id", ("@id", old)));

        using var files = new TempFolder();
        var file = files.Write("new.csv", "first_name,email\nNew,new@x.test\n");
        await CliRunner.OkAsync(fixture.Database, "import", "--company", company.Id.ToString(CultureInfo.InvariantCulture), file);

        var listed = (await PageAsync(client, "/api/v1/contacts?limit=100")).GetProperty("data").EnumerateArray().ToList();
        var created = listed.Single(c => c.GetProperty("email").GetString() == "new@x.test");
        var createdId = long.Parse(created.GetProperty("id").GetString()!, CultureInfo.InvariantCulture);
        Assert.True(createdId > old, $"the new contact got id {createdId}, the deleted one had {old}");
        Assert.Empty(created.GetProperty("tags").EnumerateArray());

        var (changes, _) = await DrainAsync(client, cursor, limit: 1);
        Assert.Equal([old], changes.Where(i => Type(i) == "delete").Select(Id));
        Assert.Equal([createdId], changes.Where(i => Type(i) == "upsert").Select(Id));
        var copy = synced.Where(i => Type(i) == "upsert").Select(Id).ToHashSet();
        foreach (var change in changes)
        {
            if (Type(change) == "delete") copy.Remove(Id(change));
            else copy.Add(Id(change));
        }
        Assert.Equal(Ids(await PageAsync(client, "/api/v1/contacts?limit=100")), copy.Order());
    }

    [Fact]
    public async Task EveryConnectionTheServiceOpensEnforcesForeignKeys()
    {
        var service = fixture.App.Services.GetRequiredService<ContactsDatabase>();
        await using (var first = await service.OpenAsync())
        {
            Assert.Equal(1L, await ForeignKeysAsync(service, first));
            // Whatever a statement did to the setting, the pool hands the connection out with it on again.
            await using var off = service.Command(first, "PRAGMA foreign_keys = OFF");
            await off.ExecuteNonQueryAsync();
        }
        var open = new List<DbConnection>();
        try
        {
            for (var i = 0; i < 4; i++) open.Add(await service.OpenAsync());
            foreach (var connection in open) Assert.Equal(1L, await ForeignKeysAsync(service, connection));
        }
        finally
        {
            foreach (var connection in open) await connection.DisposeAsync();
        }

        // A connection string that asks for them off, and a connection that has just run the migrations (0008 turns
        // them off for its rebuild).
        await using var database = await Version7DatabaseAsync();
        await using var configured = new ContactsDatabase(new DatabaseOptions
        {
            Provider = DatabaseProvider.Sqlite, ConnectionString = database.Db.Options.ConnectionString + ";Foreign Keys=False",
        });
        Assert.Contains(await Migrator.MigrateAsync(configured), m => m.ForeignKeysOff);
        await using var after = await configured.OpenAsync();
        Assert.Equal(1L, await ForeignKeysAsync(configured, after));
    }

    [Fact]
    public async Task MigratingToAutoincrementKeepsEveryIdColumnTagAndChangeAndFiresNoTrigger()
    {
        await using var database = await Version7DatabaseAsync();
        var db = database.Db;
        await SeedGappedContactsAsync(db);
        var before = await SnapshotAsync(db);
        var schemaBefore = await SchemaAsync(db);
        // The contact_tag row the shell's delete left behind breaks a foreign key already: it must not stop the upgrade.
        Assert.NotEqual("", await RowsAsync(db, "PRAGMA foreign_key_check"));

        var applied = await Migrator.MigrateAsync(db);

        Assert.Contains(applied, m => m.Name == "0008_contact_ids_never_reused");
        Assert.Equal(before, await SnapshotAsync(db));
        Assert.Equal(schemaBefore, await SchemaAsync(db));
        Assert.Contains("AUTOINCREMENT", await TextAsync(db, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'contact'"),
            StringComparison.Ordinal);
        await using var connection = await db.OpenAsync();
        await using (var fts = db.Command(connection, "INSERT INTO contact_search (contact_search) VALUES ('integrity-check')"))
            await fts.ExecuteNonQueryAsync();
        Assert.Equal([41L], await db.IdsAsync("SELECT rowid FROM contact_search WHERE contact_search MATCH '\"zoë\"'"));
    }

    [Fact]
    public async Task AfterTheMigrationANewContactGetsAnIdAboveTheOldMaximumEvenWhenThatContactIsDeleted()
    {
        await using var database = await Version7DatabaseAsync();
        var db = database.Db;
        var company = await SeedGappedContactsAsync(db);
        await Migrator.MigrateAsync(db);

        await db.ExecuteAsync("DELETE FROM contact WHERE id = 41");
        await using (var connection = await db.OpenAsync())
        {
            var inserted = await db.InsertContactAsync(connection, null, company, "Plain", new DateTime(2025, 9, 1, 0, 0, 0, DateTimeKind.Utc));
            // 41 was the highest live id, 60 the highest the change feed still has a tombstone for.
            Assert.Equal(61L, inserted);
            await db.ExecuteAsync(connection, null, "DELETE FROM contact WHERE id = @id", ("@id", inserted));
        }
        using var files = new TempFolder();
        var result = await CliRunner.RunAsync([.. database.CliOptions, "import", "--company", company.ToString(CultureInfo.InvariantCulture),
            files.Write("new.csv", "first_name,email\nImported,imported@x.test\n")]);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal([62L], await db.IdsAsync("SELECT id FROM contact WHERE email = 'imported@x.test'"));
        Assert.Empty(await db.IdsAsync("SELECT tag_id FROM contact_tag WHERE contact_id IN (61, 62)"));
    }

    [Fact]
    public async Task AForeignKeysOffMigrationThatBreaksAReferenceIsRolledBackAndForeignKeysComeBackOn()
    {
        await using var database = await Version7DatabaseAsync();
        var db = database.Db;
        var company = await SeedGappedContactsAsync(db);
        var before = await SnapshotAsync(db);
        var breaking = new Migrator.Migration(9001, "9001_breaks_contact_tag",
            Migrator.ForeignKeysOffMarker + $"\nDELETE FROM tag WHERE company_id = {company};");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Migrator.MigrateAsync(db, [breaking]));

        Assert.Contains("contact_tag", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await SnapshotAsync(db));
        Assert.Empty(await db.IdsAsync("SELECT version FROM schema_migration WHERE version = 9001"));
        await using var connection = await db.OpenAsync();
        Assert.Equal(1L, await ForeignKeysAsync(db, connection));
    }

    /// <summary>A SQLite file migrated to version 7, the last schema without AUTOINCREMENT.</summary>
    private static async Task<EmptyDatabase> Version7DatabaseAsync()
    {
        var folder = Path.Combine(Path.GetTempPath(), "contacts-ids-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        var database = new EmptyDatabase(DatabaseProvider.Sqlite, $"Data Source={Path.Combine(folder, "contacts.db")}", folder);
        await Migrator.MigrateAsync(database.Db, Migrator.Available(DatabaseProvider.Sqlite).Where(m => m.Version <= 7));
        Assert.Equal(7, await Migrator.CurrentVersionAsync(database.Db));
        return database;
    }

    /// <summary>
    /// Two companies' contacts at ids with gaps (3, 10, 11, 12, 40, 41), tagged; 50 deleted with foreign keys on (a
    /// tombstone in the feed), 60 deleted with them off (a tombstone, and a contact_tag row left behind). Returns the
    /// first company.
    /// </summary>
    private static async Task<long> SeedGappedContactsAsync(ContactsDatabase db)
    {
        var first = (await CompanyQueries.CreateAsync(db, "Gaps")).Id;
        var second = (await CompanyQueries.CreateAsync(db, "Other")).Id;
        await db.ExecuteAsync($"""
            INSERT INTO tag (id, company_id, name, color, created_at, name_folded) VALUES
                (1, {first}, 'VIP', '#1156d6', '2025-01-01T00:00:00.000Z', 'vip'),
                (2, {first}, 'Lead', NULL, '2025-01-02T00:00:00.000Z', 'lead'),
                (3, {second}, 'Zoë', NULL, '2025-01-03T00:00:00.000Z', 'zoe');
            INSERT INTO contact (id, company_id, first_name, last_name, email, phone_number, phone_number_lid, profile_picture,
                                 created_at, updated_at, search_text, phone_digits) VALUES
                (3, {first}, 'Ann', 'Lee', 'ann@x.test', '+1 555 0100', '123@lid', 'https://x.test/a.png',
                    '2025-01-01T00:00:00.000Z', '2025-02-01T00:00:00.123Z', 'ann lee' || char(31) || 'ann@x.test', '15550100'),
                (10, {first}, NULL, NULL, 'nobody@x.test', NULL, NULL, NULL, '2025-01-02T00:00:00.000Z', '2025-01-02T00:00:00.000Z',
                    char(31) || 'nobody@x.test', ''),
                (11, {first}, 'Bo', NULL, NULL, '555', NULL, NULL, '2025-01-03T00:00:00.000Z', '2025-01-03T00:00:00.000Z', 'bo', '555'),
                (12, {second}, 'Cy', NULL, NULL, NULL, NULL, NULL, '2025-01-04T00:00:00.000Z', '2025-01-04T00:00:00.000Z', 'cy', ''),
                (40, {first}, 'Dee', NULL, NULL, NULL, NULL, NULL, '2025-01-05T00:00:00.000Z', '2025-01-05T00:00:00.000Z', 'dee', ''),
                (41, {second}, 'Zoë', 'Ålund', NULL, NULL, NULL, NULL, '2025-01-06T00:00:00.000Z', '2025-01-06T00:00:00.000Z', 'zoë alund', ''),
                (50, {first}, 'Gone', NULL, NULL, NULL, NULL, NULL, '2025-01-07T00:00:00.000Z', '2025-01-07T00:00:00.000Z', 'gone', ''),
                (60, {first}, 'Shell', NULL, NULL, NULL, NULL, NULL, '2025-01-08T00:00:00.000Z', '2025-01-08T00:00:00.000Z', 'shell', '');
            INSERT INTO contact_tag (company_id, contact_id, tag_id) VALUES
                ({first}, 3, 1), ({first}, 3, 2), ({first}, 11, 2), ({first}, 40, 1), ({second}, 41, 3), ({first}, 50, 1), ({first}, 60, 2);
            UPDATE contact SET first_name = 'Bob', search_text = 'bob' WHERE id = 11;
            DELETE FROM contact WHERE id = 50;
            """);
        await using var shell = new SqliteConnection(db.Options.ConnectionString + ";Foreign Keys=False;Pooling=False");
        await shell.OpenAsync();
        await using var delete = shell.CreateCommand();
        delete.CommandText = "DELETE FROM contact WHERE id = 60";
        await delete.ExecuteNonQueryAsync();
        return first;
    }

    /// <summary>Every row of the tables the rebuild could touch, each value with its storage class.</summary>
    private static async Task<string> SnapshotAsync(ContactsDatabase db)
    {
        var text = new System.Text.StringBuilder();
        foreach (var table in new[]
        {
            "contact ORDER BY id", "contact_tag ORDER BY contact_id, tag_id", "tag ORDER BY id", "contact_change ORDER BY company_id, contact_id",
            "contact_change_counter", "contact_change_purge ORDER BY company_id", "company_contact_count ORDER BY company_id",
            "tag_contact_count ORDER BY company_id, tag_id",
        })
        {
            text.Append(table).Append('\n').Append(await RowsAsync(db, $"SELECT * FROM {table}"));
        }
        return text.Append("foreign_key_check\n").Append(await RowsAsync(db, "PRAGMA foreign_key_check")).ToString();
    }

    /// <summary>contact's columns (names, types, defaults, keys), foreign keys, indexes and triggers, but for its own CREATE TABLE text.</summary>
    /// <summary>The contact table's schema and the objects on it, as 0008 must keep them (0010's search images come later).</summary>
    private static async Task<string> SchemaAsync(ContactsDatabase db) =>
        await RowsAsync(db, "PRAGMA table_xinfo(contact)") + await RowsAsync(db, "PRAGMA foreign_key_list(contact)")
        + await RowsAsync(db, "SELECT name, \"unique\", origin, partial FROM pragma_index_list('contact') ORDER BY name")
        + await RowsAsync(db, "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE tbl_name = 'contact' AND type <> 'table' AND name NOT LIKE 'contact_search_image%' ORDER BY name")
        + await RowsAsync(db, "SELECT type, name, sql FROM sqlite_master WHERE name LIKE 'contact_search%' AND name NOT LIKE 'contact_search_image%' AND name NOT LIKE 'contact_search_bulk%' ORDER BY name");

    private static async Task<string> RowsAsync(ContactsDatabase db, string sql)
    {
        await using var connection = await db.OpenAsync();
        await using var command = db.Command(connection, sql);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new System.Text.StringBuilder();
        while (await reader.ReadAsync())
        {
            for (var i = 0; i < reader.FieldCount; i++)
            {
                var value = reader.GetValue(i);
                rows.Append(value.GetType().Name).Append(':').Append(Convert.ToString(value, CultureInfo.InvariantCulture)).Append(" | ");
            }
            rows.Append('\n');
        }
        return rows.ToString();
    }

    private static async Task<string> TextAsync(ContactsDatabase db, string sql)
    {
        await using var connection = await db.OpenAsync();
        await using var command = db.Command(connection, sql);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<long> ForeignKeysAsync(ContactsDatabase db, DbConnection connection)
    {
        await using var command = db.Command(connection, "PRAGMA foreign_keys");
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
