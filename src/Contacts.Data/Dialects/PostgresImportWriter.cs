using System.Data.Common;
using Contacts.Data.Import;
using Npgsql;
using NpgsqlTypes;

namespace Contacts.Data.Dialects;

/// <summary>
/// PostgreSQL: ids from the contact id sequence, folded columns computed by the database (contacts_fold in generated
/// columns), and new rows through binary COPY, one stream per batch instead of a statement per row (one import
/// alone runs at ~10,000 rows/s on the benchmark machine, bench/README.md).
/// </summary>
internal sealed class PostgresImportWriter(SqlDialect dialect, NpgsqlConnection connection, DbTransaction transaction, long companyId)
    : ImportWriter(dialect, connection, transaction, companyId)
{
    private DbCommand? _update;
    private long _reserved;

    // Moves the id sequence past max(@max, max(id)) only when it is behind: never backwards, and a fresh sequence still starts at 1.
    private const string RaiseSequenceSql = """
        SELECT setval(s.seq, s.target)
        FROM (SELECT pg_get_serial_sequence('contact', 'id')::regclass AS seq,
                     greatest(@max, (SELECT coalesce(max(id), 0) FROM contact)) AS target) s
        WHERE s.target > coalesce(pg_sequence_last_value(s.seq), 0)
        """;

    public override Task StartAsync(CancellationToken ct) => RaiseSequenceAsync(0, ct);

    public override Task ReserveAboveAsync(long maxExplicitId, CancellationToken ct) =>
        maxExplicitId > _reserved ? RaiseSequenceAsync(_reserved = maxExplicitId, ct) : Task.CompletedTask;

    /// <summary>Explicit ids written by this import may be above the sequence: move it past them.</summary>
    public override Task FinishAsync(CancellationToken ct) => RaiseSequenceAsync(0, ct);

    private async Task RaiseSequenceAsync(long max, CancellationToken ct)
    {
        await using var bump = Command(RaiseSequenceSql);
        ContactsDatabase.AddParameter(bump, "@max", max);
        await bump.ExecuteScalarAsync(ct);
    }

    protected override bool WritesFoldedColumns => false;

    public override async Task UpdateContactAsync(ContactRow row, CancellationToken ct)
    {
        _update ??= Command(UpdateContactSql());
        BindContact(_update, row);
        await _update.ExecuteNonQueryAsync(ct);
    }

    public override async Task<IReadOnlyList<long>> AllocateIdsAsync(int count, CancellationToken ct)
    {
        var ids = new List<long>(count);
        if (count == 0) return ids;
        await using var command = Command("SELECT nextval(pg_get_serial_sequence('contact', 'id')) FROM generate_series(1, @n)");
        ContactsDatabase.AddParameter(command, "@n", count);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) ids.Add(reader.GetInt64(0));
        return ids;
    }

    /// <summary>
    /// An import is an operator's command, like a migration: its statements run to their end, not to
    /// Database:CommandTimeoutSeconds (the API's bound per statement); a stopped or failed import is rolled back (one
    /// transaction). A batch of 2,000 contacts may wait on the search keys' index (migration 0014) merging its pending
    /// entries for longer than the API's 10 s on a loaded machine: the benchmark's 1M-contact load stopped there once.
    /// (SQLite's CommandTimeout is its wait for the file's lock, which stays.)
    /// </summary>
    protected override DbCommand Command(string sql)
    {
        var command = base.Command(sql);
        command.CommandTimeout = 0;
        return command;
    }

    private static NpgsqlBinaryImporter Unbounded(NpgsqlBinaryImporter copy)
    {
        copy.Timeout = TimeSpan.Zero; // no limit (Npgsql: 0 is infinite, as for CommandTimeout), see Command
        return copy;
    }

    public override async Task InsertContactsAsync(IReadOnlyList<ContactRow> rows, CancellationToken ct)
    {
        await using var copy = Unbounded(await connection.BeginBinaryImportAsync("""
            COPY contact (id, company_id, first_name, last_name, email, phone_number, phone_number_lid,
                          profile_picture, created_at, updated_at) FROM STDIN (FORMAT BINARY)
            """, ct));
        foreach (var row in rows)
        {
            var r = row.Record;
            await copy.StartRowAsync(ct);
            await copy.WriteAsync(row.Id, NpgsqlDbType.Bigint, ct);
            await copy.WriteAsync(CompanyId, NpgsqlDbType.Bigint, ct);
            await WriteTextAsync(copy, r.FirstName, ct);
            await WriteTextAsync(copy, r.LastName, ct);
            await WriteTextAsync(copy, r.Email, ct);
            await WriteTextAsync(copy, r.PhoneNumber, ct);
            await WriteTextAsync(copy, r.PhoneNumberLid, ct);
            await WriteTextAsync(copy, r.ProfilePicture, ct);
            await copy.WriteAsync(row.CreatedAt, NpgsqlDbType.TimestampTz, ct);
            await copy.WriteAsync(row.UpdatedAt, NpgsqlDbType.TimestampTz, ct);
        }
        await copy.CompleteAsync(ct);
    }

    public override async Task InsertContactTagsAsync(IReadOnlyList<(long ContactId, long TagId)> rows, CancellationToken ct)
    {
        if (rows.Count == 0) return;
        await using var copy = Unbounded(await connection.BeginBinaryImportAsync(
            "COPY contact_tag (company_id, contact_id, tag_id) FROM STDIN (FORMAT BINARY)", ct));
        foreach (var (contactId, tagId) in rows)
        {
            await copy.StartRowAsync(ct);
            await copy.WriteAsync(CompanyId, NpgsqlDbType.Bigint, ct);
            await copy.WriteAsync(contactId, NpgsqlDbType.Bigint, ct);
            await copy.WriteAsync(tagId, NpgsqlDbType.Bigint, ct);
        }
        await copy.CompleteAsync(ct);
    }

    private static Task WriteTextAsync(NpgsqlBinaryImporter copy, string? value, CancellationToken ct) =>
        value is null ? copy.WriteNullAsync(ct) : copy.WriteAsync(value, NpgsqlDbType.Text, ct);
}
