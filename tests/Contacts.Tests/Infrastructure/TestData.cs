using System.Globalization;
using Contacts.Data;

namespace Contacts.Tests.Infrastructure;

public sealed record TestCompany(long Id, string Key);

/// <summary>
/// Builds a test's own data with plain SQL into the documented tables, as an operator's other application would
/// (on PostgreSQL the database computes the search columns; on SQLite this writes them, as docs/schema.md says).
/// </summary>
public sealed class TestData(TestDatabase database)
{
    private ContactsDatabase Db => database.Db;

    public async Task<TestCompany> CompanyAsync(string? name = null)
    {
        var company = await CompanyQueries.CreateAsync(Db, name ?? "Company " + Guid.NewGuid().ToString("N")[..8]);
        var key = await KeyQueries.CreateAsync(Db, company.Id, "test");
        return new TestCompany(company.Id, key.Key);
    }

    public async Task<long> ContactAsync(long company, string? first = null, string? last = null, string? email = null,
        string? phone = null, string? lid = null, string? picture = null, DateTime? created = null, DateTime? updated = null,
        params long[] tags)
    {
        var createdAt = created ?? new DateTime(2025, 8, 1, 10, 0, 0, DateTimeKind.Utc);
        await using var connection = await Db.OpenAsync();
        await using var command = Db.Command(connection, (Db.Provider == DatabaseProvider.Postgres)
            ? """
              INSERT INTO contact (company_id, first_name, last_name, email, phone_number, phone_number_lid, profile_picture, created_at, updated_at)
              VALUES (@company, @first, @last, @email, @phone, @lid, @picture, @created, @updated) RETURNING id
              """
            : """
              INSERT INTO contact (company_id, first_name, last_name, email, phone_number, phone_number_lid, profile_picture, created_at, updated_at, search_text, phone_digits)
              VALUES (@company, @first, @last, @email, @phone, @lid, @picture, @created, @updated, @search, @digits) RETURNING id
              """);
        ContactsDatabase.AddParameter(command, "@company", company);
        ContactsDatabase.AddParameter(command, "@first", first);
        ContactsDatabase.AddParameter(command, "@last", last);
        ContactsDatabase.AddParameter(command, "@email", email);
        ContactsDatabase.AddParameter(command, "@phone", phone);
        ContactsDatabase.AddParameter(command, "@lid", lid);
        ContactsDatabase.AddParameter(command, "@picture", picture);
        ContactsDatabase.AddParameter(command, "@created", Db.TimestampValue(createdAt));
        ContactsDatabase.AddParameter(command, "@updated", Db.TimestampValue(updated ?? createdAt));
        if (!(Db.Provider == DatabaseProvider.Postgres))
        {
            ContactsDatabase.AddParameter(command, "@search", SearchText.ForContact(first, last, email, phone, lid));
            ContactsDatabase.AddParameter(command, "@digits", SearchText.PhoneDigitsForContact(phone, lid));
        }
        var id = Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
        foreach (var tag in tags) await TagContactAsync(company, id, tag);
        return id;
    }

    public async Task<long> TagAsync(long company, string name, string? color = null, DateTime? created = null)
    {
        await using var connection = await Db.OpenAsync();
        await using var command = Db.Command(connection, (Db.Provider == DatabaseProvider.Postgres)
            ? "INSERT INTO tag (company_id, name, color, created_at) VALUES (@company, @name, @color, @created) RETURNING id"
            : "INSERT INTO tag (company_id, name, color, created_at, name_folded) VALUES (@company, @name, @color, @created, @folded) RETURNING id");
        ContactsDatabase.AddParameter(command, "@company", company);
        ContactsDatabase.AddParameter(command, "@name", name);
        ContactsDatabase.AddParameter(command, "@color", color);
        ContactsDatabase.AddParameter(command, "@created", Db.TimestampValue(created ?? new DateTime(2025, 6, 10, 9, 0, 0, DateTimeKind.Utc)));
        if (!(Db.Provider == DatabaseProvider.Postgres)) ContactsDatabase.AddParameter(command, "@folded", SearchText.Fold(name));
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Many contacts at once (ContactAsync one by one would take minutes): "Ann Filler{i}", ann{i}@x.test, no phone, no
    /// tag, in one statement.
    /// </summary>
    public async Task FillAsync(long company, int count)
    {
        await using var connection = await Db.OpenAsync();
        await using var command = Db.Command(connection, Db.Provider == DatabaseProvider.Postgres
            ? $"""
               INSERT INTO contact (company_id, first_name, last_name, email, created_at, updated_at)
               SELECT @company, 'Ann', 'Filler' || i, 'ann' || i || '@x.test', @at, @at FROM generate_series(1, {count}) i
               """
            : $"""
               WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count})
               INSERT INTO contact (company_id, first_name, last_name, email, created_at, updated_at, search_text)
               SELECT @company, 'Ann', 'Filler' || i, 'ann' || i || '@x.test', @at, @at, 'ann filler' || i || ' ann' || i || '@x.test' FROM n
               """);
        ContactsDatabase.AddParameter(command, "@company", company);
        ContactsDatabase.AddParameter(command, "@at", Db.TimestampValue(new DateTime(2025, 8, 1, 10, 0, 0, DateTimeKind.Utc)));
        await command.ExecuteNonQueryAsync();
    }

    public async Task TagContactAsync(long company, long contact, long tag)
    {
        await using var connection = await Db.OpenAsync();
        await using var command = Db.Command(connection, "INSERT INTO contact_tag (company_id, contact_id, tag_id) VALUES (@company, @contact, @tag)");
        ContactsDatabase.AddParameter(command, "@company", company);
        ContactsDatabase.AddParameter(command, "@contact", contact);
        ContactsDatabase.AddParameter(command, "@tag", tag);
        await command.ExecuteNonQueryAsync();
    }
}
