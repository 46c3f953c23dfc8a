using System.Data.Common;
using Contacts.Data.Replication;

namespace Contacts.Data.Keys;

/// <summary>API keys: what the admin commands and the authentication handler read and write.</summary>
public static class KeyQueries
{
    public static async Task<CreatedApiKey> CreateAsync(ContactsDatabase db, long companyId, string? name, CancellationToken ct = default)
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
        ContactsDatabase.AddParameter(command, "@now", db.TimestampValue(db.Clock.GetUtcNow().UtcDateTime));
        await command.ExecuteNonQueryAsync(ct);
        return new CreatedApiKey(keyId, companyId, name, token);
    }

    public static async Task<IReadOnlyList<ApiKeyRow>> ListAsync(ContactsDatabase db, long companyId, CancellationToken ct = default)
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
                db.ReadTimestamp(reader, 3), db.ReadNullableTimestamp(reader, 4), db.ReadNullableTimestamp(reader, 5)));
        }
        return rows;
    }

    /// <summary>Revokes a key by its public id; false when no such active key exists.</summary>
    public static async Task<bool> RevokeAsync(ContactsDatabase db, string keyId, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var command = db.Command(connection,
            "UPDATE api_key SET revoked_at = @now WHERE key_id = @key_id AND revoked_at IS NULL");
        ContactsDatabase.AddParameter(command, "@key_id", keyId);
        ContactsDatabase.AddParameter(command, "@now", db.TimestampValue(db.Clock.GetUtcNow().UtcDateTime));
        return await command.ExecuteNonQueryAsync(ct) > 0;
    }

    /// <summary>
    /// On a standby when there are any: a key revoked on the primary is seen within the lag bound. Only the primary may say
    /// that a key does not exist: a standby lacks a key the primary created a moment ago (it replays behind, however
    /// little), so a standby's miss is asked again on the primary, and when the primary cannot be reached that is the
    /// database's failure (the caller answers 503), never an unknown key (which authentication would refuse and remember).
    /// </summary>
    public static async Task<StoredApiKey?> FindAsync(ContactsDatabase db, string keyId, CancellationToken ct = default)
    {
        var found = await db.ReadAsync((connection, ct) => FindOnAsync(db, connection, keyId, ct), ct: ct);
        if (found is not null || db.Replicas is null) return found;
        await using var primary = await db.OpenAsync(ct);
        return await FindOnAsync(db, primary, keyId, ct);
    }

    private static async Task<StoredApiKey?> FindOnAsync(ContactsDatabase db, DbConnection connection, string keyId, CancellationToken ct)
    {
        await using var command = db.Command(connection, db.Dialect.FindKeySql);
        ContactsDatabase.AddParameter(command, "@key_id", keyId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        return new StoredApiKey(reader.GetString(0), reader.GetInt64(1), (byte[])reader.GetValue(2), reader.GetBoolean(3));
    }

    /// <summary>Records use of keys; called in batches by a background flusher, never per request.</summary>
    public static async Task TouchAsync(ContactsDatabase db, IReadOnlyList<string> keyIds, DateTime usedAt, CancellationToken ct = default)
    {
        if (keyIds.Count == 0) return;
        await using var connection = await db.OpenAsync(ct);
        await using var command = db.Command(connection, "");
        command.CommandText = db.Dialect.TouchKeysSql(command, keyIds);
        ContactsDatabase.AddParameter(command, "@now", db.TimestampValue(usedAt));
        await command.ExecuteNonQueryAsync(ct);
    }
}
