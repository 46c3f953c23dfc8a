using System.Data.Common;
using Contacts.Data.Import;

namespace Contacts.Data.Dialects;

/// <summary>
/// SQLite: one writer at a time, so ids are counted here, above every id a contact ever had; the folded search columns
/// are written by the application (SQLite cannot run the C# folding); rows go in through one prepared INSERT, which is
/// what SQLite's bulk path is (no COPY), inside the import's single transaction.
/// </summary>
internal sealed class SqliteImportWriter(SqlDialect dialect, DbConnection connection, DbTransaction transaction, long companyId)
    : ImportWriter(dialect, connection, transaction, companyId)
{
    private long _nextId;
    private DbCommand? _update, _insert, _insertTag;

    public override async Task StartAsync(CancellationToken ct)
    {
        // sqlite_sequence holds the highest id contact ever had (AUTOINCREMENT, migration 0008): the id of a deleted
        // contact is never given again, so the change feed keeps its tombstone and no leftover row names it.
        await using var max = Command("""
            SELECT max((SELECT coalesce(max(id), 0) FROM contact), coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'contact'), 0))
            """);
        _nextId = ToLong(await max.ExecuteScalarAsync(ct)) + 1;
    }

    public override Task ReserveAboveAsync(long maxExplicitId, CancellationToken ct)
    {
        _nextId = Math.Max(_nextId, maxExplicitId + 1);
        return Task.CompletedTask;
    }

    protected override bool WritesFoldedColumns => true;

    public override async Task UpdateContactAsync(ContactRow row, CancellationToken ct)
    {
        _update ??= Command(UpdateContactSql(",\n    search_text = @search, phone_digits = @digits"));
        BindRow(_update, row);
        await _update.ExecuteNonQueryAsync(ct);
    }

    public override Task<IReadOnlyList<long>> AllocateIdsAsync(int count, CancellationToken ct)
    {
        var ids = new long[count];
        for (var i = 0; i < count; i++) ids[i] = _nextId++;
        return Task.FromResult<IReadOnlyList<long>>(ids);
    }

    public override async Task InsertContactsAsync(IReadOnlyList<ContactRow> rows, CancellationToken ct)
    {
        _insert ??= Command("""
            INSERT INTO contact (id, company_id, first_name, last_name, email, phone_number, phone_number_lid,
                                 profile_picture, created_at, updated_at, search_text, phone_digits)
            VALUES (@id, @company, @first, @last, @email, @phone, @lid, @picture, @created, @updated, @search, @digits)
            """);
        foreach (var row in rows)
        {
            BindRow(_insert, row);
            await _insert.ExecuteNonQueryAsync(ct);
        }
    }

    public override async Task InsertContactTagsAsync(IReadOnlyList<(long ContactId, long TagId)> rows, CancellationToken ct)
    {
        _insertTag ??= Command("INSERT INTO contact_tag (company_id, contact_id, tag_id) VALUES (@company, @contact, @tag)");
        foreach (var (contactId, tagId) in rows)
        {
            _insertTag.Parameters.Clear();
            ContactsDatabase.AddParameter(_insertTag, "@company", CompanyId);
            ContactsDatabase.AddParameter(_insertTag, "@contact", contactId);
            ContactsDatabase.AddParameter(_insertTag, "@tag", tagId);
            await _insertTag.ExecuteNonQueryAsync(ct);
        }
    }

    private void BindRow(DbCommand command, ContactRow row)
    {
        BindContact(command, row);
        var r = row.Record;
        ContactsDatabase.AddParameter(command, "@search", SearchText.ForContact(r.FirstName, r.LastName, r.Email, r.PhoneNumber, r.PhoneNumberLid));
        ContactsDatabase.AddParameter(command, "@digits", SearchText.PhoneDigitsForContact(r.PhoneNumber, r.PhoneNumberLid));
    }
}
