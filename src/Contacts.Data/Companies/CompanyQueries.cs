using System.Globalization;
using Contacts.Contracts;

namespace Contacts.Data.Companies;

/// <summary>Companies, for the admin commands. Not tenant-scoped: the operator manages every company.</summary>
public static class CompanyQueries
{
    public static async Task<CompanyRow> CreateAsync(ContactsDatabase db, string name, CancellationToken ct = default)
    {
        var now = UtcTimestampConverter.TruncateToMillisecond(db.Clock.GetUtcNow().UtcDateTime);
        await using var connection = await db.OpenAsync(ct);
        await using var command = db.Command(connection, "INSERT INTO company (name, created_at) VALUES (@name, @now) RETURNING id");
        ContactsDatabase.AddParameter(command, "@name", name);
        ContactsDatabase.AddParameter(command, "@now", db.TimestampValue(now));
        var id = Convert.ToInt64(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
        return new CompanyRow(id, name, now, 0, 0);
    }

    public static async Task<IReadOnlyList<CompanyRow>> ListAsync(ContactsDatabase db, CancellationToken ct = default)
    {
        const string sql = """
            SELECT c.id, c.name, c.created_at,
                   (SELECT count(*) FROM contact x WHERE x.company_id = c.id),
                   (SELECT count(*) FROM api_key k WHERE k.company_id = c.id AND k.revoked_at IS NULL)
            FROM company c ORDER BY c.id
            """;
        await using var connection = await db.OpenAsync(ct);
        await using var command = db.Command(connection, sql);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<CompanyRow>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new CompanyRow(reader.GetInt64(0), reader.GetString(1), db.ReadTimestamp(reader, 2), reader.GetInt64(3), reader.GetInt64(4)));
        }
        return rows;
    }

    public static async Task<CompanyRow?> FindAsync(ContactsDatabase db, long companyId, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var command = db.Command(connection, "SELECT id, name, created_at FROM company WHERE id = @id");
        ContactsDatabase.AddParameter(command, "@id", companyId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? new CompanyRow(reader.GetInt64(0), reader.GetString(1), db.ReadTimestamp(reader, 2), 0, 0)
            : null;
    }
}
