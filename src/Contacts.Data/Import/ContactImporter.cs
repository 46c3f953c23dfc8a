using System.Data.Common;
using System.Globalization;
using Npgsql;
using NpgsqlTypes;

namespace Contacts.Data.Import;

/// <summary>
/// Writes validated records for one company in a single transaction, in batches.
/// A record matches an existing contact of the company by id, else phone_number, else email; matched ones
/// are updated (only when something differs, so a second import of the same file changes nothing),
/// the others inserted; unknown tags are created; the file's tags replace the contact's tags.
/// </summary>
public static class ContactImporter
{
    public const int BatchSize = 2000;

    public static async Task<ImportOutcome> ImportAsync(
        ContactsDatabase db, long companyId, IEnumerable<ImportRecord> records, bool skipInvalid,
        long maxExplicitId = 0, Action<long>? progress = null, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var session = new Session(db, connection, transaction, companyId);
        await session.StartAsync(maxExplicitId, ct);

        var batch = new List<ImportRecord>(BatchSize);
        long processed = 0;
        foreach (var record in records)
        {
            batch.Add(record);
            if (batch.Count < BatchSize) continue;
            await session.WriteBatchAsync(batch, ct);
            processed += batch.Count;
            batch.Clear();
            progress?.Invoke(processed);
        }
        if (batch.Count > 0)
        {
            await session.WriteBatchAsync(batch, ct);
            progress?.Invoke(processed + batch.Count);
        }

        if (session.Rejected.Count > 0 && !skipInvalid)
        {
            await transaction.RollbackAsync(ct);
            throw new ImportRejectedException(session.Rejected);
        }
        await session.FinishAsync(ct);
        await transaction.CommitAsync(ct);
        return new ImportOutcome(session.Inserted, session.Updated, session.Unchanged, session.Rejected);
    }

    private sealed record Existing(long Id, long CompanyId, string? FirstName, string? LastName, string? Email, string? Phone,
        string? Lid, string? Picture, DateTime CreatedAt, DateTime UpdatedAt);

    private sealed record TagState(long Id, string? Color);

    private sealed class Session(ContactsDatabase db, DbConnection connection, DbTransaction transaction, long companyId)
    {
        private readonly Dictionary<string, TagState> _tags = new(StringComparer.Ordinal);
        private readonly Dictionary<long, int> _claimed = [];
        private readonly DateTime _now = Truncate(DateTime.UtcNow);
        private long _nextSqliteId;
        private DbCommand? _update, _insert, _insertTag, _deleteTags;

        public List<RowError> Rejected { get; } = [];
        public int Inserted { get; private set; }
        public int Updated { get; private set; }
        public int Unchanged { get; private set; }

        private DbCommand Command(string sql) => db.Command(connection, sql, transaction);

        public async Task StartAsync(long maxExplicitId, CancellationToken ct)
        {
            await using (var tags = Command("SELECT id, name_folded, color FROM tag WHERE company_id = @company"))
            {
                ContactsDatabase.AddParameter(tags, "@company", companyId);
                await using var reader = await tags.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                    _tags[reader.GetString(1)] = new TagState(reader.GetInt64(0), ContactsDatabase.ReadNullableString(reader, 2));
            }
            // Generated ids start above every explicit id of the file, so the two never meet.
            if (db.IsPostgres)
            {
                await using var bump = Command(RaiseSequenceSql);
                ContactsDatabase.AddParameter(bump, "@max", maxExplicitId);
                await bump.ExecuteScalarAsync(ct);
            }
            else
            {
                await using var max = Command("SELECT coalesce(max(id), 0) FROM contact");
                _nextSqliteId = Math.Max(Convert.ToInt64(await max.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture), maxExplicitId) + 1;
            }
        }

        // Moves the id sequence past max(@max, max(id)) only when it is behind: never backwards, and a fresh sequence still starts at 1.
        private const string RaiseSequenceSql = """
            SELECT setval(s.seq, s.target)
            FROM (SELECT pg_get_serial_sequence('contact', 'id')::regclass AS seq,
                         greatest(@max, (SELECT coalesce(max(id), 0) FROM contact)) AS target) s
            WHERE s.target > coalesce(pg_sequence_last_value(s.seq), 0)
            """;

        public async Task FinishAsync(CancellationToken ct)
        {
            if (!db.IsPostgres) return;
            await using var bump = Command(RaiseSequenceSql);
            ContactsDatabase.AddParameter(bump, "@max", 0L);
            await bump.ExecuteScalarAsync(ct);
        }

        public async Task WriteBatchAsync(List<ImportRecord> batch, CancellationToken ct)
        {
            var existing = await FindExistingAsync(batch, ct);
            var byPhone = new Dictionary<string, Existing>(StringComparer.Ordinal);
            var byEmail = new Dictionary<string, Existing>(StringComparer.Ordinal);
            foreach (var e in existing.Values.Where(e => e.CompanyId == companyId).OrderBy(e => e.Id))
            {
                if (e.Phone is not null) byPhone.TryAdd(e.Phone, e);
                if (e.Email is not null) byEmail.TryAdd(e.Email, e);
            }

            var updates = new List<(ImportRecord Record, Existing Target)>();
            var inserts = new List<ImportRecord>();
            foreach (var record in batch)
            {
                Existing? target = null;
                if (record.Id is { } id)
                {
                    if (existing.TryGetValue(id, out var byId))
                    {
                        if (byId.CompanyId != companyId)
                        {
                            Rejected.Add(new RowError(record.Line, $"id {id} is already used by another company's contact"));
                            continue;
                        }
                        target = byId;
                    }
                }
                else if (record.PhoneNumber is not null && byPhone.TryGetValue(record.PhoneNumber, out var p)) target = p;
                else if (record.Email is not null && byEmail.TryGetValue(record.Email, out var m)) target = m;

                var claim = target?.Id ?? record.Id;
                if (claim is { } claimed)
                {
                    if (_claimed.TryGetValue(claimed, out var firstLine))
                    {
                        Rejected.Add(new RowError(record.Line, $"matches the same contact as line {firstLine}"));
                        continue;
                    }
                    _claimed[claimed] = record.Line;
                }
                if (target is null) inserts.Add(record);
                else updates.Add((record, target));
            }

            await EnsureTagsAsync(batch, ct);
            await UpdateAsync(updates, ct);
            await InsertAsync(inserts, ct);
        }

        private async Task<Dictionary<long, Existing>> FindExistingAsync(List<ImportRecord> batch, CancellationToken ct)
        {
            var ids = batch.Where(r => r.Id.HasValue).Select(r => r.Id!.Value).ToList();
            var phones = batch.Where(r => r.Id is null && r.PhoneNumber is not null).Select(r => r.PhoneNumber!).Distinct().ToList();
            var emails = batch.Where(r => r.Id is null && r.Email is not null).Select(r => r.Email!).Distinct().ToList();
            var result = new Dictionary<long, Existing>();
            if (ids.Count + phones.Count + emails.Count == 0) return result;

            await using var command = Command("");
            ContactsDatabase.AddParameter(command, "@company", companyId);
            // Ids are global: an id of another company is found here only to refuse it.
            command.CommandText = $"""
                SELECT id, company_id, first_name, last_name, email, phone_number, phone_number_lid, profile_picture, created_at, updated_at
                FROM contact
                WHERE {db.AnyOf(command, "id", "ids", ids)}
                   OR (company_id = @company AND {db.AnyOf(command, "phone_number", "phones", phones)})
                   OR (company_id = @company AND {db.AnyOf(command, "email", "emails", emails)})
                """;
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var e = new Existing(reader.GetInt64(0), reader.GetInt64(1), ContactsDatabase.ReadNullableString(reader, 2),
                    ContactsDatabase.ReadNullableString(reader, 3), ContactsDatabase.ReadNullableString(reader, 4),
                    ContactsDatabase.ReadNullableString(reader, 5), ContactsDatabase.ReadNullableString(reader, 6),
                    ContactsDatabase.ReadNullableString(reader, 7), db.ReadTimestamp(reader, 8), db.ReadTimestamp(reader, 9));
                result[e.Id] = e;
            }
            return result;
        }

        private async Task EnsureTagsAsync(List<ImportRecord> batch, CancellationToken ct)
        {
            foreach (var tag in batch.SelectMany(r => r.Tags))
            {
                var folded = SearchText.Fold(tag.Name);
                if (_tags.TryGetValue(folded, out var state))
                {
                    if (tag.Color is null || tag.Color == state.Color) continue;
                    await using var recolor = Command("UPDATE tag SET color = @color WHERE company_id = @company AND id = @id");
                    ContactsDatabase.AddParameter(recolor, "@color", tag.Color);
                    ContactsDatabase.AddParameter(recolor, "@company", companyId);
                    ContactsDatabase.AddParameter(recolor, "@id", state.Id);
                    await recolor.ExecuteNonQueryAsync(ct);
                    _tags[folded] = state with { Color = tag.Color };
                    continue;
                }
                await using var insert = Command(db.IsPostgres
                    ? "INSERT INTO tag (company_id, name, color, created_at) VALUES (@company, @name, @color, @now) RETURNING id"
                    : "INSERT INTO tag (company_id, name, color, created_at, name_folded) VALUES (@company, @name, @color, @now, @folded) RETURNING id");
                ContactsDatabase.AddParameter(insert, "@company", companyId);
                ContactsDatabase.AddParameter(insert, "@name", tag.Name);
                ContactsDatabase.AddParameter(insert, "@color", tag.Color);
                ContactsDatabase.AddParameter(insert, "@now", db.TimestampValue(_now));
                if (!db.IsPostgres) ContactsDatabase.AddParameter(insert, "@folded", folded);
                var id = Convert.ToInt64(await insert.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
                _tags[folded] = new TagState(id, tag.Color);
            }
        }

        private SortedSet<long> TagIdsOf(ImportRecord record) => [.. record.Tags.Select(t => _tags[SearchText.Fold(t.Name)].Id)];

        private async Task UpdateAsync(List<(ImportRecord Record, Existing Target)> updates, CancellationToken ct)
        {
            if (updates.Count == 0) return;
            var currentTags = new Dictionary<long, SortedSet<long>>();
            await using (var command = Command(""))
            {
                ContactsDatabase.AddParameter(command, "@company", companyId);
                command.CommandText = $"SELECT contact_id, tag_id FROM contact_tag WHERE company_id = @company AND {db.AnyOf(command, "contact_id", "ids", updates.Select(u => u.Target.Id).ToList())}";
                await using var reader = await command.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    var contactId = reader.GetInt64(0);
                    if (!currentTags.TryGetValue(contactId, out var set)) currentTags[contactId] = set = [];
                    set.Add(reader.GetInt64(1));
                }
            }

            var tagRows = new List<(long ContactId, long TagId)>();
            foreach (var (record, target) in updates)
            {
                var wanted = TagIdsOf(record);
                var tagsChanged = !wanted.SetEquals(currentTags.GetValueOrDefault(target.Id) ?? []);
                var createdAt = record.CreatedAt is { } c ? Truncate(c) : target.CreatedAt;
                var fieldsChanged = record.FirstName != target.FirstName || record.LastName != target.LastName ||
                    record.Email != target.Email || record.PhoneNumber != target.Phone ||
                    record.PhoneNumberLid != target.Lid || record.ProfilePicture != target.Picture || createdAt != target.CreatedAt ||
                    record.UpdatedAt is { } u && Truncate(u) != target.UpdatedAt;
                if (!fieldsChanged && !tagsChanged)
                {
                    Unchanged++;
                    continue;
                }
                Updated++;
                await UpdateRowAsync(target.Id, record, createdAt, record.UpdatedAt is { } updated ? Truncate(updated) : _now, ct);
                if (!tagsChanged) continue;
                _deleteTags ??= PrepareDeleteTags();
                _deleteTags.Parameters["@id"].Value = target.Id;
                await _deleteTags.ExecuteNonQueryAsync(ct);
                tagRows.AddRange(wanted.Select(t => (target.Id, t)));
            }
            await InsertTagRowsAsync(tagRows, ct);
        }

        private DbCommand PrepareDeleteTags()
        {
            var command = Command("DELETE FROM contact_tag WHERE company_id = @company AND contact_id = @id");
            ContactsDatabase.AddParameter(command, "@company", companyId);
            ContactsDatabase.AddParameter(command, "@id", 0L);
            return command;
        }

        private async Task UpdateRowAsync(long id, ImportRecord r, DateTime createdAt, DateTime updatedAt, CancellationToken ct)
        {
            _update ??= Command(db.IsPostgres
                ? """
                  UPDATE contact SET first_name = @first, last_name = @last, email = @email, phone_number = @phone,
                      phone_number_lid = @lid, profile_picture = @picture, created_at = @created, updated_at = @updated
                  WHERE company_id = @company AND id = @id
                  """
                : """
                  UPDATE contact SET first_name = @first, last_name = @last, email = @email, phone_number = @phone,
                      phone_number_lid = @lid, profile_picture = @picture, created_at = @created, updated_at = @updated,
                      search_text = @search, phone_digits = @digits
                  WHERE company_id = @company AND id = @id
                  """);
            SetRowParameters(_update, id, r, createdAt, updatedAt);
            await _update.ExecuteNonQueryAsync(ct);
        }

        private void SetRowParameters(DbCommand command, long id, ImportRecord r, DateTime createdAt, DateTime updatedAt)
        {
            command.Parameters.Clear();
            ContactsDatabase.AddParameter(command, "@company", companyId);
            ContactsDatabase.AddParameter(command, "@id", id);
            ContactsDatabase.AddParameter(command, "@first", r.FirstName);
            ContactsDatabase.AddParameter(command, "@last", r.LastName);
            ContactsDatabase.AddParameter(command, "@email", r.Email);
            ContactsDatabase.AddParameter(command, "@phone", r.PhoneNumber);
            ContactsDatabase.AddParameter(command, "@lid", r.PhoneNumberLid);
            ContactsDatabase.AddParameter(command, "@picture", r.ProfilePicture);
            ContactsDatabase.AddParameter(command, "@created", db.TimestampValue(createdAt));
            ContactsDatabase.AddParameter(command, "@updated", db.TimestampValue(updatedAt));
            if (db.IsPostgres) return;
            ContactsDatabase.AddParameter(command, "@search", SearchText.ForContact(r.FirstName, r.LastName, r.Email, r.PhoneNumber, r.PhoneNumberLid));
            ContactsDatabase.AddParameter(command, "@digits", SearchText.PhoneDigitsForContact(r.PhoneNumber, r.PhoneNumberLid));
        }

        private async Task InsertAsync(List<ImportRecord> inserts, CancellationToken ct)
        {
            if (inserts.Count == 0) return;
            var ids = await AllocateIdsAsync(inserts, ct);
            var tagRows = new List<(long ContactId, long TagId)>();
            for (var i = 0; i < inserts.Count; i++) tagRows.AddRange(TagIdsOf(inserts[i]).Select(t => (ids[i], t)));

            if (connection is NpgsqlConnection npgsql)
            {
                await using var copy = await npgsql.BeginBinaryImportAsync("""
                    COPY contact (id, company_id, first_name, last_name, email, phone_number, phone_number_lid,
                                  profile_picture, created_at, updated_at) FROM STDIN (FORMAT BINARY)
                    """, ct);
                for (var i = 0; i < inserts.Count; i++)
                {
                    var r = inserts[i];
                    await copy.StartRowAsync(ct);
                    await copy.WriteAsync(ids[i], NpgsqlDbType.Bigint, ct);
                    await copy.WriteAsync(companyId, NpgsqlDbType.Bigint, ct);
                    await WriteTextAsync(copy, r.FirstName, ct);
                    await WriteTextAsync(copy, r.LastName, ct);
                    await WriteTextAsync(copy, r.Email, ct);
                    await WriteTextAsync(copy, r.PhoneNumber, ct);
                    await WriteTextAsync(copy, r.PhoneNumberLid, ct);
                    await WriteTextAsync(copy, r.ProfilePicture, ct);
                    var created = Truncate(r.CreatedAt ?? _now);
                    await copy.WriteAsync(created, NpgsqlDbType.TimestampTz, ct);
                    await copy.WriteAsync(Truncate(r.UpdatedAt ?? created), NpgsqlDbType.TimestampTz, ct);
                }
                await copy.CompleteAsync(ct);
            }
            else
            {
                _insert ??= Command("""
                    INSERT INTO contact (id, company_id, first_name, last_name, email, phone_number, phone_number_lid,
                                         profile_picture, created_at, updated_at, search_text, phone_digits)
                    VALUES (@id, @company, @first, @last, @email, @phone, @lid, @picture, @created, @updated, @search, @digits)
                    """);
                for (var i = 0; i < inserts.Count; i++)
                {
                    var created = Truncate(inserts[i].CreatedAt ?? _now);
                    SetRowParameters(_insert, ids[i], inserts[i], created, Truncate(inserts[i].UpdatedAt ?? created));
                    await _insert.ExecuteNonQueryAsync(ct);
                }
            }
            Inserted += inserts.Count;
            await InsertTagRowsAsync(tagRows, ct);
        }

        private static Task WriteTextAsync(NpgsqlBinaryImporter copy, string? value, CancellationToken ct) =>
            value is null ? copy.WriteNullAsync(ct) : copy.WriteAsync(value, NpgsqlDbType.Text, ct);

        private async Task<long[]> AllocateIdsAsync(List<ImportRecord> inserts, CancellationToken ct)
        {
            var ids = new long[inserts.Count];
            var needed = inserts.Count(r => r.Id is null);
            var generated = new Queue<long>(needed);
            if (needed > 0 && db.IsPostgres)
            {
                await using var command = Command("SELECT nextval(pg_get_serial_sequence('contact', 'id')) FROM generate_series(1, @n)");
                ContactsDatabase.AddParameter(command, "@n", needed);
                await using var reader = await command.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct)) generated.Enqueue(reader.GetInt64(0));
            }
            else
            {
                for (var i = 0; i < needed; i++) generated.Enqueue(_nextSqliteId++);
            }
            for (var i = 0; i < inserts.Count; i++) ids[i] = inserts[i].Id ?? generated.Dequeue();
            return ids;
        }

        private async Task InsertTagRowsAsync(List<(long ContactId, long TagId)> rows, CancellationToken ct)
        {
            if (rows.Count == 0) return;
            if (connection is NpgsqlConnection npgsql)
            {
                await using var copy = await npgsql.BeginBinaryImportAsync(
                    "COPY contact_tag (company_id, contact_id, tag_id) FROM STDIN (FORMAT BINARY)", ct);
                foreach (var (contactId, tagId) in rows)
                {
                    await copy.StartRowAsync(ct);
                    await copy.WriteAsync(companyId, NpgsqlDbType.Bigint, ct);
                    await copy.WriteAsync(contactId, NpgsqlDbType.Bigint, ct);
                    await copy.WriteAsync(tagId, NpgsqlDbType.Bigint, ct);
                }
                await copy.CompleteAsync(ct);
                return;
            }
            _insertTag ??= Command("INSERT INTO contact_tag (company_id, contact_id, tag_id) VALUES (@company, @contact, @tag)");
            foreach (var (contactId, tagId) in rows)
            {
                _insertTag.Parameters.Clear();
                ContactsDatabase.AddParameter(_insertTag, "@company", companyId);
                ContactsDatabase.AddParameter(_insertTag, "@contact", contactId);
                ContactsDatabase.AddParameter(_insertTag, "@tag", tagId);
                await _insertTag.ExecuteNonQueryAsync(ct);
            }
        }

        private static DateTime Truncate(DateTime value)
        {
            var utc = value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : DateTime.SpecifyKind(value, DateTimeKind.Utc);
            return new DateTime(utc.Ticks - utc.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
        }
    }
}
