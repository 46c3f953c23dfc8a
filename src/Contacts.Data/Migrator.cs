using System.Data.Common;
using System.Reflection;
using Contacts.Contracts;

namespace Contacts.Data;

/// <summary>
/// Applies the numbered SQL scripts under Migrations/{provider}/ that a database has not seen yet,
/// each in its own transaction, recording them in schema_migration. Scripts are append-only:
/// a released script is never edited, a change is a new script.
/// </summary>
public static class Migrator
{
    public sealed record Migration(int Version, string Name, string Sql)
    {
        /// <summary>
        /// A SQLite script whose first line is <see cref="ForeignKeysOffMarker"/> runs with foreign keys off: one that
        /// rebuilds a table (the 12 steps of ALTER TABLE) would otherwise cascade its DROP to the referencing rows.
        /// </summary>
        public bool ForeignKeysOff => Sql.StartsWith(ForeignKeysOffMarker, StringComparison.Ordinal);
    }

    public const string ForeignKeysOffMarker = "-- migrator: foreign_keys off";

    public static IReadOnlyList<Migration> Available(DatabaseProvider provider)
    {
        var assembly = typeof(Migrator).Assembly;
        // Each provider's scripts are in the folder named after it (Migrations/postgres, Migrations/sqlite).
        var folder = $".Migrations.{provider.ToString().ToLowerInvariant()}.";
        return assembly.GetManifestResourceNames()
            .Where(n => n.Contains(folder, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => Load(assembly, n, n[(n.IndexOf(folder, StringComparison.Ordinal) + folder.Length)..^4]))
            .OrderBy(m => m.Version)
            .ToList();
    }

    private static Migration Load(Assembly assembly, string resource, string name)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        var digits = new string(name.TrimStart('_').TakeWhile(char.IsDigit).ToArray());
        return new Migration(int.Parse(digits, System.Globalization.CultureInfo.InvariantCulture), name.TrimStart('_'), reader.ReadToEnd());
    }

    /// <summary>Brings the schema up to date; returns the migrations applied now.</summary>
    public static Task<IReadOnlyList<Migration>> MigrateAsync(ContactsDatabase db, CancellationToken ct = default) =>
        MigrateAsync(db, Available(db.Provider), ct);

    /// <summary>Applies the given migrations, in order: tests start from an earlier schema, or run a script of their own.</summary>
    internal static async Task<IReadOnlyList<Migration>> MigrateAsync(ContactsDatabase db, IEnumerable<Migration> migrations, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsOwnerAsync(ct);
        await db.Dialect.PrepareForMigrationsAsync(connection, ct);
        await using (var create = db.Command(connection,
            "CREATE TABLE IF NOT EXISTS schema_migration (version integer PRIMARY KEY, name text NOT NULL, applied_at text NOT NULL)"))
        {
            await create.ExecuteNonQueryAsync(ct);
        }

        var applied = new List<Migration>();
        foreach (var migration in migrations.OrderBy(m => m.Version))
        {
            // PRAGMA foreign_keys is a no-op inside a transaction: off before BEGIN, on again whatever happens.
            if (migration.ForeignKeysOff) await PragmaAsync(db, connection, "PRAGMA foreign_keys = OFF", ct);
            try
            {
                if (await ApplyAsync(db, connection, migration, ct)) applied.Add(migration);
            }
            finally
            {
                if (migration.ForeignKeysOff) await PragmaAsync(db, connection, "PRAGMA foreign_keys = ON", CancellationToken.None);
            }
        }
        return applied;
    }

    /// <summary>Runs one migration in its own transaction unless schema_migration has it; true when it ran.</summary>
    private static async Task<bool> ApplyAsync(ContactsDatabase db, DbConnection connection, Migration migration, CancellationToken ct)
    {
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await db.Dialect.LockMigrationsAsync(connection, transaction, ct);
        await using (var check = db.Command(connection, "SELECT count(*) FROM schema_migration WHERE version = @v", transaction))
        {
            ContactsDatabase.AddParameter(check, "@v", migration.Version);
            if (Convert.ToInt64(await check.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture) > 0)
            {
                await transaction.CommitAsync(ct);
                return false;
            }
        }
        var broken = migration.ForeignKeysOff
            ? (await ForeignKeyViolationsAsync(db, connection, transaction, ct)).CountBy(v => v).ToDictionary(StringComparer.Ordinal)
            : [];
        await using (var run = db.Command(connection, migration.Sql, transaction))
        {
            run.CommandTimeout = 0; // building an index over millions of rows takes minutes, not Database:CommandTimeoutSeconds
            await run.ExecuteNonQueryAsync(ct);
        }
        if (migration.ForeignKeysOff)
        {
            // Only what the script broke: rows another application wrote with foreign keys off (a contact deleted
            // from the sqlite3 shell leaves its contact_tag rows) must not stop every later upgrade.
            var added = new List<string>();
            foreach (var violation in await ForeignKeyViolationsAsync(db, connection, transaction, ct))
            {
                if (broken.TryGetValue(violation, out var count) && count > 0) broken[violation] = count - 1;
                else added.Add(violation);
            }
            if (added.Count > 0)
                throw new InvalidOperationException(
                    $"Migration {migration.Name} broke foreign keys (table, rowid, parent, fkid): {string.Join("; ", added.Take(10))}");
        }
        await using (var record = db.Command(connection,
            "INSERT INTO schema_migration (version, name, applied_at) VALUES (@v, @n, @t)", transaction))
        {
            ContactsDatabase.AddParameter(record, "@v", migration.Version);
            ContactsDatabase.AddParameter(record, "@n", migration.Name);
            ContactsDatabase.AddParameter(record, "@t", UtcTimestampConverter.ToWire(db.Clock.GetUtcNow().UtcDateTime));
            await record.ExecuteNonQueryAsync(ct);
        }
        await transaction.CommitAsync(ct);
        return true;
    }

    private static async Task PragmaAsync(ContactsDatabase db, DbConnection connection, string sql, CancellationToken ct)
    {
        await using var pragma = db.Command(connection, sql);
        await pragma.ExecuteNonQueryAsync(ct);
    }

    /// <summary>PRAGMA foreign_key_check's rows (table, rowid, parent, fkid), each as one text, repeated ones kept.</summary>
    private static async Task<List<string>> ForeignKeyViolationsAsync(ContactsDatabase db, DbConnection connection, DbTransaction transaction,
        CancellationToken ct)
    {
        await using var check = db.Command(connection, "PRAGMA foreign_key_check", transaction);
        check.CommandTimeout = 0;
        await using var reader = await check.ExecuteReaderAsync(ct);
        var violations = new List<string>();
        while (await reader.ReadAsync(ct))
            violations.Add(string.Join(", ", Enumerable.Range(0, reader.FieldCount).Select(i => Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
        return violations;
    }

    public static async Task<int> CurrentVersionAsync(ContactsDatabase db, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        try
        {
            await using var command = db.Command(connection, "SELECT coalesce(max(version), 0) FROM schema_migration");
            return Convert.ToInt32(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (DbException)
        {
            return 0;
        }
    }
}
