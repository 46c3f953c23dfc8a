using System.Data.Common;
using System.Globalization;
using Contacts.Data.Dialects;

namespace Contacts.Data.Import;

/// <summary>
/// The statements of one import, inside its transaction. What both databases run alike is here; ids, tag inserts,
/// contact rows and bulk inserts are overridden by <see cref="PostgresImportWriter"/> and <see cref="SqliteImportWriter"/>.
/// </summary>
internal abstract class ImportWriter(SqlDialect dialect, DbConnection connection, DbTransaction transaction, long companyId)
{
    private DbCommand? _deleteTags;

    protected SqlDialect Dialect { get; } = dialect;
    protected long CompanyId { get; } = companyId;

    protected virtual DbCommand Command(string sql) => Dialect.Command(connection, sql, transaction);

    /// <summary>Makes sure ids generated from now on are above every id already in the database.</summary>
    public abstract Task StartAsync(CancellationToken ct);

    /// <summary>Makes sure ids generated from now on are above <paramref name="maxExplicitId"/> (the explicit ids of the batch being written).</summary>
    public abstract Task ReserveAboveAsync(long maxExplicitId, CancellationToken ct);

    public virtual Task FinishAsync(CancellationToken ct) => Task.CompletedTask;

    /// <summary>The company's tags by folded name.</summary>
    public async Task<Dictionary<string, (long Id, string? Color)>> LoadTagsAsync(CancellationToken ct)
    {
        var tags = new Dictionary<string, (long Id, string? Color)>(StringComparer.Ordinal);
        await using var command = Command("SELECT id, name_folded, color FROM tag WHERE company_id = @company");
        ContactsDatabase.AddParameter(command, "@company", CompanyId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) tags[reader.GetString(1)] = (reader.GetInt64(0), ContactsDatabase.ReadNullableString(reader, 2));
        return tags;
    }

    public async Task<Dictionary<long, ExistingContact>> FindExistingAsync(IReadOnlyList<ImportRecord> batch, CancellationToken ct)
    {
        var (ids, phones, emails) = ImportMatcher.Keys(batch);
        var result = new Dictionary<long, ExistingContact>();
        if (ids.Count + phones.Count + emails.Count == 0) return result;

        await using var command = Command("");
        ContactsDatabase.AddParameter(command, "@company", CompanyId);
        // Ids are global: an id of another company is found here only to refuse it.
        command.CommandText = $"""
            SELECT id, company_id, first_name, last_name, email, phone_number, phone_number_lid, profile_picture, created_at, updated_at
            FROM contact
            WHERE {Dialect.AnyOf(command, "id", "ids", ids)}
               OR (company_id = @company AND {Dialect.AnyOf(command, "phone_number", "phones", phones)})
               OR (company_id = @company AND {Dialect.AnyOf(command, "email", "emails", emails)})
            """;
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var e = new ExistingContact(reader.GetInt64(0), reader.GetInt64(1), ContactsDatabase.ReadNullableString(reader, 2),
                ContactsDatabase.ReadNullableString(reader, 3), ContactsDatabase.ReadNullableString(reader, 4),
                ContactsDatabase.ReadNullableString(reader, 5), ContactsDatabase.ReadNullableString(reader, 6),
                ContactsDatabase.ReadNullableString(reader, 7), Dialect.ReadTimestamp(reader, 8), Dialect.ReadTimestamp(reader, 9));
            result[e.Id] = e;
        }
        return result;
    }

    public async Task RecolorTagAsync(long tagId, string color, CancellationToken ct)
    {
        await using var recolor = Command("UPDATE tag SET color = @color WHERE company_id = @company AND id = @id");
        ContactsDatabase.AddParameter(recolor, "@color", color);
        ContactsDatabase.AddParameter(recolor, "@company", CompanyId);
        ContactsDatabase.AddParameter(recolor, "@id", tagId);
        await recolor.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Whether this writer stores the folded search columns itself (SQLite: docs/schema.md) rather than the database
    /// computing them (PostgreSQL's generated columns).
    /// </summary>
    protected abstract bool WritesFoldedColumns { get; }

    /// <summary>Creates a tag; returns its id.</summary>
    public async Task<long> InsertTagAsync(string name, string folded, string? color, DateTime now, CancellationToken ct)
    {
        var (column, value) = WritesFoldedColumns ? (", name_folded", ", @folded") : ("", "");
        await using var insert = Command($"INSERT INTO tag (company_id, name, color, created_at{column}) VALUES (@company, @name, @color, @now{value}) RETURNING id");
        ContactsDatabase.AddParameter(insert, "@company", CompanyId);
        ContactsDatabase.AddParameter(insert, "@name", name);
        ContactsDatabase.AddParameter(insert, "@color", color);
        ContactsDatabase.AddParameter(insert, "@now", Dialect.TimestampValue(now));
        if (WritesFoldedColumns) ContactsDatabase.AddParameter(insert, "@folded", folded);
        return ToLong(await insert.ExecuteScalarAsync(ct));
    }

    /// <summary>The current tag ids of the given contacts.</summary>
    public async Task<Dictionary<long, SortedSet<long>>> LoadContactTagsAsync(IReadOnlyList<long> contactIds, CancellationToken ct)
    {
        var current = new Dictionary<long, SortedSet<long>>();
        await using var command = Command("");
        ContactsDatabase.AddParameter(command, "@company", CompanyId);
        command.CommandText = $"SELECT contact_id, tag_id FROM contact_tag WHERE company_id = @company AND {Dialect.AnyOf(command, "contact_id", "ids", contactIds)}";
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var contactId = reader.GetInt64(0);
            if (!current.TryGetValue(contactId, out var set)) current[contactId] = set = [];
            set.Add(reader.GetInt64(1));
        }
        return current;
    }

    public async Task DeleteContactTagsAsync(long contactId, CancellationToken ct)
    {
        if (_deleteTags is null)
        {
            _deleteTags = Command("DELETE FROM contact_tag WHERE company_id = @company AND contact_id = @id");
            ContactsDatabase.AddParameter(_deleteTags, "@company", CompanyId);
            ContactsDatabase.AddParameter(_deleteTags, "@id", 0L);
        }
        _deleteTags.Parameters["@id"].Value = contactId;
        await _deleteTags.ExecuteNonQueryAsync(ct);
    }

    public abstract Task UpdateContactAsync(ContactRow row, CancellationToken ct);

    /// <summary>Ids for the records without one, in order.</summary>
    public abstract Task<IReadOnlyList<long>> AllocateIdsAsync(int count, CancellationToken ct);

    public abstract Task InsertContactsAsync(IReadOnlyList<ContactRow> rows, CancellationToken ct);

    public abstract Task InsertContactTagsAsync(IReadOnlyList<(long ContactId, long TagId)> rows, CancellationToken ct);

    /// <summary>The contact columns both databases write, in the order of the INSERT and UPDATE statements' parameters.</summary>
    protected void BindContact(DbCommand command, ContactRow row)
    {
        var r = row.Record;
        command.Parameters.Clear();
        ContactsDatabase.AddParameter(command, "@company", CompanyId);
        ContactsDatabase.AddParameter(command, "@id", row.Id);
        ContactsDatabase.AddParameter(command, "@first", r.FirstName);
        ContactsDatabase.AddParameter(command, "@last", r.LastName);
        ContactsDatabase.AddParameter(command, "@email", r.Email);
        ContactsDatabase.AddParameter(command, "@phone", r.PhoneNumber);
        ContactsDatabase.AddParameter(command, "@lid", r.PhoneNumberLid);
        ContactsDatabase.AddParameter(command, "@picture", r.ProfilePicture);
        ContactsDatabase.AddParameter(command, "@created", Dialect.TimestampValue(row.CreatedAt));
        ContactsDatabase.AddParameter(command, "@updated", Dialect.TimestampValue(row.UpdatedAt));
    }

    protected static string UpdateContactSql(string moreColumns = "") => $"""
        UPDATE contact SET first_name = @first, last_name = @last, email = @email, phone_number = @phone,
            phone_number_lid = @lid, profile_picture = @picture, created_at = @created, updated_at = @updated{moreColumns}
        WHERE company_id = @company AND id = @id
        """;

    protected static long ToLong(object? value) => Convert.ToInt64(value, CultureInfo.InvariantCulture);
}
