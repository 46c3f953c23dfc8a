using System.Data.Common;
using System.Globalization;
using Contacts.Client;
using Contacts.Data;
using Contacts.Tests.Infrastructure;

namespace Contacts.Tests.Api;

/// <summary>Plain SQL as another application writes it, and the client-side copy a sync job keeps.</summary>
internal static class ChangeFeedSupport
{
    public static async Task<int> ExecuteAsync(this ContactsDatabase db, string sql, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await db.OpenAsync();
        return await ExecuteAsync(db, connection, null, sql, parameters);
    }

    public static async Task<int> ExecuteAsync(this ContactsDatabase db, DbConnection connection, DbTransaction? transaction, string sql,
        params (string Name, object? Value)[] parameters)
    {
        await using var command = db.Command(connection, sql, transaction);
        foreach (var (name, value) in parameters) ContactsDatabase.AddParameter(command, name, value);
        return await command.ExecuteNonQueryAsync();
    }

    public static async Task<List<long>> IdsAsync(this ContactsDatabase db, string sql, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await db.OpenAsync();
        await using var command = db.Command(connection, sql);
        foreach (var (name, value) in parameters) ContactsDatabase.AddParameter(command, name, value);
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<long>();
        while (await reader.ReadAsync()) ids.Add(Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture));
        return ids;
    }

    /// <summary>Runs <paramref name="action"/> on one of the company's contacts, picked at random (nothing when it has none).</summary>
    public static Task WithContactAsync(this ContactsDatabase db, long company, Random random, Func<long, Task<int>> action) =>
        WithRowAsync(db, "SELECT id FROM contact WHERE company_id = @company ORDER BY id", company, random, action);

    /// <summary>Runs <paramref name="action"/> on one of the company's tags, picked at random (nothing when it has none).</summary>
    public static Task WithTagAsync(this ContactsDatabase db, long company, Random random, Func<long, Task<int>> action) =>
        WithRowAsync(db, "SELECT id FROM tag WHERE company_id = @company ORDER BY id", company, random, action);

    private static async Task WithRowAsync(ContactsDatabase db, string ids, long company, Random random, Func<long, Task<int>> action)
    {
        var found = await db.IdsAsync(ids, ("@company", company));
        if (found.Count > 0) await action(found[random.Next(found.Count)]);
    }

    /// <summary>A move to another company as an application does it: the contact's tags belong to its old company, so they go first, in one transaction.</summary>
    public static async Task<int> MoveContactAsync(this ContactsDatabase db, long id, long to)
    {
        await using var connection = await db.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await db.ExecuteAsync(connection, transaction, "DELETE FROM contact_tag WHERE contact_id = @id", ("@id", id));
        await db.ExecuteAsync(connection, transaction, "UPDATE contact SET company_id = @to WHERE id = @id", ("@to", to), ("@id", id));
        await transaction.CommitAsync();
        return 1;
    }

    /// <summary>INSERT of a contact by plain SQL (SQLite: search columns left at their defaults; the feed does not read them).</summary>
    public static async Task<long> InsertContactAsync(this ContactsDatabase db, DbConnection connection, DbTransaction? transaction,
        long company, string first, DateTime updated)
    {
        await using var command = db.Command(connection,
            "INSERT INTO contact (company_id, first_name, email, created_at, updated_at) VALUES (@company, @first, @email, @created, @updated) RETURNING id",
            transaction);
        ContactsDatabase.AddParameter(command, "@company", company);
        ContactsDatabase.AddParameter(command, "@first", first);
        ContactsDatabase.AddParameter(command, "@email", first.ToLowerInvariant() + "@x.test");
        ContactsDatabase.AddParameter(command, "@created", db.TimestampValue(updated));
        ContactsDatabase.AddParameter(command, "@updated", db.TimestampValue(updated));
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }
}

/// <summary>A sync job's copy of one company: applies every change in order and keeps the cursor.</summary>
internal sealed class SyncedCopy(ContactsClient client)
{
    public Dictionary<string, Contact> Contacts { get; } = new(StringComparer.Ordinal);
    public string? Cursor { get; private set; }
    public int Deletes { get; private set; }

    public void Apply(ContactChange change)
    {
        switch (change)
        {
            case ContactUpsert upsert: Contacts[upsert.Contact.Id] = upsert.Contact; break;
            case ContactDelete delete:
                Contacts.Remove(delete.Id);
                Deletes++;
                break;
        }
    }

    /// <summary>Up to <paramref name="pages"/> pages (null: until has_more is false).</summary>
    public async Task PollAsync(int limit, int? pages = null)
    {
        for (var i = 0; pages is null || i < pages; i++)
        {
            var page = await client.GetChangesAsync(Cursor, limit);
            foreach (var change in page.Data) Apply(change);
            Cursor = page.NextCursor;
            if (!page.HasMore) return;
        }
    }

    /// <summary>Until up to date, through the client's walk.</summary>
    public async Task CatchUpAsync(int limit)
    {
        var walk = client.GetAllChangesAsync(Cursor, limit);
        await foreach (var change in walk) Apply(change);
        Cursor = walk.Cursor;
    }

    /// <summary>The copy and GET /api/v1/contacts, each contact as the wire's JSON, in id order.</summary>
    public async Task AssertEqualsListingAsync()
    {
        var listed = new List<string>();
        await foreach (var contact in client.GetAllContactsAsync()) listed.Add(Json(contact));
        var copy = Contacts.Values.OrderBy(c => long.Parse(c.Id, CultureInfo.InvariantCulture)).Select(Json).ToList();
        Assert.Equal(string.Join("\n", listed), string.Join("\n", copy));
    }

    private static string Json(Contact contact) => System.Text.Json.JsonSerializer.Serialize(contact, ContactsJsonContext.Default.Contact);
}
