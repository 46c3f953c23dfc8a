using Contacts.Data;

#pragma warning disable CA1848, CA1873 // start-up messages, written once per process

namespace Contacts;

public static class StartupChecks
{
    /// <summary>A clear message instead of SQLite's "unable to open database file".</summary>
    public static void EnsureSqliteFolderUsable(ContactsDatabase db)
    {
        if (db.SqliteFile is not { } file) return;
        var folder = Path.GetDirectoryName(file)!;
        if (!Directory.Exists(folder))
            throw new InvalidOperationException($"The SQLite data folder '{folder}' does not exist. Create it or set ConnectionStrings:Contacts.");
        var probe = Path.Combine(folder, $".contacts-write-test-{Environment.ProcessId}");
        try
        {
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new InvalidOperationException($"The SQLite data folder '{folder}' is not writable ({e.Message}).", e);
        }
    }
}
