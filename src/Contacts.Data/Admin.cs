using System.Data.Common;
using System.Globalization;

namespace Contacts.Data;

public sealed record CompanyRow(long Id, string Name, DateTime CreatedAt, long Contacts, long ActiveKeys);
public sealed record ApiKeyRow(string Id, long CompanyId, string? Name, DateTime CreatedAt, DateTime? RevokedAt, DateTime? LastUsedAt);
public sealed record CreatedApiKey(string Id, long CompanyId, string? Name, string Key);
public sealed record StoredApiKey(string KeyId, long CompanyId, byte[] SecretHash, bool Revoked);

/// <summary>Companies and API keys: what the admin commands and the authentication handler read and write.</summary>
public static class Admin
{
    public static async Task<CompanyRow> CreateCompanyAsync(ContactsDatabase db, string name, CancellationToken ct = default)
    {
        var now = DateTime.UtcNow;
        await using var connection = await db.OpenAsync(ct);
        await using var command = db.Command(connection, "INSERT INTO company (name, created_at) VALUES (@name, @now) RETURNING id");
        ContactsDatabase.AddParameter(command, "@name", name);
        ContactsDatabase.AddParameter(command, "@now", db.TimestampValue(now));
        var id = Convert.ToInt64(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
        return new CompanyRow(id, name, Truncate(now), 0, 0);
    }

    public static async Task<IReadOnlyList<CompanyRow>> ListCompaniesAsync(ContactsDatabase db, CancellationToken ct = default)
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

    public static async Task<CompanyRow?> FindCompanyAsync(ContactsDatabase db, long companyId, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var command = db.Command(connection, "SELECT id, name, created_at FROM company WHERE id = @id");
        ContactsDatabase.AddParameter(command, "@id", companyId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? new CompanyRow(reader.GetInt64(0), reader.GetString(1), db.ReadTimestamp(reader, 2), 0, 0)
            : null;
    }

    public static async Task<CreatedApiKey> CreateKeyAsync(ContactsDatabase db, long companyId, string? name, CancellationToken ct = default)
    {
        var (keyId, token) = ApiKeys.Generate();
        await using var connection = await db.OpenAsync(ct);
        await using var command = db.Command(connection, """
            INSERT INTO api_key (key_id, company_id, name, secret_hash, created_at)
            VALUES (@key_id, @company, @name, @hash, @now)
            """);
        ContactsDatabase.AddParameter(command, "@key_id", keyId);
        ContactsDatabase.AddParameter(command, "@company", companyId);
        ContactsDatabase.AddParameter(command, "@name", name);
        ContactsDatabase.AddParameter(command, "@hash", ApiKeys.Hash(token));
        ContactsDatabase.AddParameter(command, "@now", db.TimestampValue(DateTime.UtcNow));
        await command.ExecuteNonQueryAsync(ct);
        return new CreatedApiKey(keyId, companyId, name, token);
    }

    public static async Task<IReadOnlyList<ApiKeyRow>> ListKeysAsync(ContactsDatabase db, long companyId, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var command = db.Command(connection, """
            SELECT key_id, company_id, name, created_at, revoked_at, last_used_at
            FROM api_key WHERE company_id = @company ORDER BY id
            """);
        ContactsDatabase.AddParameter(command, "@company", companyId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<ApiKeyRow>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new ApiKeyRow(reader.GetString(0), reader.GetInt64(1), ContactsDatabase.ReadNullableString(reader, 2),
                db.ReadTimestamp(reader, 3), ReadNullableTimestamp(db, reader, 4), ReadNullableTimestamp(db, reader, 5)));
        }
        return rows;
    }

    /// <summary>Revokes a key by its public id; false when no such active key exists.</summary>
    public static async Task<bool> RevokeKeyAsync(ContactsDatabase db, string keyId, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var command = db.Command(connection,
            "UPDATE api_key SET revoked_at = @now WHERE key_id = @key_id AND revoked_at IS NULL");
        ContactsDatabase.AddParameter(command, "@key_id", keyId);
        ContactsDatabase.AddParameter(command, "@now", db.TimestampValue(DateTime.UtcNow));
        return await command.ExecuteNonQueryAsync(ct) > 0;
    }

    public static async Task<StoredApiKey?> FindKeyAsync(ContactsDatabase db, string keyId, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        // On PostgreSQL through a SECURITY DEFINER function: the company is not known yet, so row-level security would hide the key.
        await using var command = db.Command(connection, db.IsPostgres
            ? "SELECT key_id, company_id, secret_hash, revoked FROM contacts_find_key(@key_id)"
            : "SELECT key_id, company_id, secret_hash, revoked_at IS NOT NULL FROM api_key WHERE key_id = @key_id");
        ContactsDatabase.AddParameter(command, "@key_id", keyId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        return new StoredApiKey(reader.GetString(0), reader.GetInt64(1), (byte[])reader.GetValue(2), reader.GetBoolean(3));
    }

    /// <summary>Records use of keys; called in batches by a background flusher, never per request.</summary>
    public static async Task TouchKeysAsync(ContactsDatabase db, IReadOnlyList<string> keyIds, DateTime usedAt, CancellationToken ct = default)
    {
        if (keyIds.Count == 0) return;
        await using var connection = await db.OpenAsync(ct);
        await using var command = db.Command(connection, "");
        command.CommandText = db.IsPostgres
            ? "SELECT contacts_touch_keys(@keys, @now)" // SECURITY DEFINER: keys of many companies, outside row-level security
            : $"UPDATE api_key SET last_used_at = @now WHERE key_id IN {ContactsDatabase.InList(command, "k", keyIds)}";
        if (db.IsPostgres) ContactsDatabase.AddParameter(command, "@keys", keyIds.ToArray());
        ContactsDatabase.AddParameter(command, "@now", db.TimestampValue(usedAt));
        await command.ExecuteNonQueryAsync(ct);
    }

    private static DateTime? ReadNullableTimestamp(ContactsDatabase db, DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : db.ReadTimestamp(reader, ordinal);

    private static DateTime Truncate(DateTime utc) => new(utc.Ticks - utc.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
}
