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
    public sealed record Migration(int Version, string Name, string Sql);

    public static IReadOnlyList<Migration> Available(DatabaseProvider provider)
    {
        var assembly = typeof(Migrator).Assembly;
        var folder = provider == DatabaseProvider.Postgres ? ".Migrations.postgres." : ".Migrations.sqlite.";
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
    public static async Task<IReadOnlyList<Migration>> MigrateAsync(ContactsDatabase db, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsOwnerAsync(ct);
        await db.Dialect.PrepareForMigrationsAsync(db, connection, ct);
        await using (var create = db.Command(connection,
            "CREATE TABLE IF NOT EXISTS schema_migration (version integer PRIMARY KEY, name text NOT NULL, applied_at text NOT NULL)"))
        {
            await create.ExecuteNonQueryAsync(ct);
        }

        var applied = new List<Migration>();
        foreach (var migration in Available(db.Provider))
        {
            await using var transaction = await connection.BeginTransactionAsync(ct);
            await db.Dialect.LockMigrationsAsync(db, connection, transaction, ct);
            await using (var check = db.Command(connection, "SELECT count(*) FROM schema_migration WHERE version = @v", transaction))
            {
                ContactsDatabase.AddParameter(check, "@v", migration.Version);
                if (Convert.ToInt64(await check.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture) > 0)
                {
                    await transaction.CommitAsync(ct);
                    continue;
                }
            }
            await using (var run = db.Command(connection, migration.Sql, transaction))
            {
                run.CommandTimeout = 0; // building an index over millions of rows takes minutes, not Database:CommandTimeoutSeconds
                await run.ExecuteNonQueryAsync(ct);
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
            applied.Add(migration);
        }
        return applied;
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
