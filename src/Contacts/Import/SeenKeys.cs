using System.Globalization;
using Contacts.Data.Import;
using Microsoft.Data.Sqlite;

namespace Contacts.Import;

/// <summary>
/// The first line on which a file used each id, phone number and email, and the line that claimed each contact
/// written, kept in a temporary SQLite file instead of the heap: the single pass checks every row against all the
/// rows before it while its memory stays that of SQLite's page cache (2 MB by default), whatever the file's length.
/// The file is deleted on dispose.
/// </summary>
internal sealed class SeenKeys : IContactClaims, IDisposable
{
    public enum Kind { Id, Phone, Email, PhoneWithId, EmailWithId, Contact }

    private readonly string _path = Path.Combine(Path.GetTempPath(), $"contacts-import-{Guid.NewGuid():N}.db");
    private readonly SqliteConnection _connection;
    private readonly SqliteTransaction _transaction;
    private readonly SqliteCommand _find, _add;

    public SeenKeys()
    {
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _path, Pooling = false, ForeignKeys = true }.ToString());
        _connection.Open();
        using (var setup = _connection.CreateCommand())
        {
            // A scratch file: nothing to recover after a crash, so no journal and no syncing.
            setup.CommandText = """
                PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
                CREATE TABLE seen (kind INTEGER NOT NULL, key TEXT NOT NULL, line INTEGER NOT NULL, PRIMARY KEY (kind, key)) WITHOUT ROWID;
                """;
            setup.ExecuteNonQuery();
        }
        _transaction = _connection.BeginTransaction();
        _find = Command("SELECT line FROM seen WHERE kind = $kind AND key = $key");
        _add = Command("INSERT OR IGNORE INTO seen (kind, key, line) VALUES ($kind, $key, $line)");
        _add.Parameters.Add("$line", SqliteType.Integer);
    }

    private SqliteCommand Command(string sql)
    {
        var command = _connection.CreateCommand();
        command.Transaction = _transaction;
        command.CommandText = sql;
        command.Parameters.Add("$kind", SqliteType.Integer);
        command.Parameters.Add("$key", SqliteType.Text);
        return command;
    }

    /// <summary>The line that first used the key, or null.</summary>
    public int? LineOf(Kind kind, string key)
    {
        _find.Parameters["$kind"].Value = (int)kind;
        _find.Parameters["$key"].Value = key;
        return _find.ExecuteScalar() is long line ? (int)line : null;
    }

    /// <summary>Records the key's first line unless it has one; true when it was new.</summary>
    public bool TryAdd(Kind kind, string key, int line)
    {
        _add.Parameters["$kind"].Value = (int)kind;
        _add.Parameters["$key"].Value = key;
        _add.Parameters["$line"].Value = line;
        return _add.ExecuteNonQuery() == 1;
    }

    public bool TryClaim(long contactId, int line, out int firstLine)
    {
        var key = contactId.ToString(CultureInfo.InvariantCulture);
        if (TryAdd(Kind.Contact, key, line))
        {
            firstLine = line;
            return true;
        }
        firstLine = LineOf(Kind.Contact, key) ?? line;
        return false;
    }

    public void Dispose()
    {
        _find.Dispose();
        _add.Dispose();
        _transaction.Dispose();
        _connection.Dispose();
        File.Delete(_path);
    }
}
