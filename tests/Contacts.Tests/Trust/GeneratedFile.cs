using System.Text.Json;
using Contacts.Data;
using Contacts.Demo;
using Contacts.Data.Import;
using Contacts.Tests.Infrastructure;

namespace Contacts.Tests.Trust;

/// <summary>Large import files from the deterministic generator, as JSON Lines in the API's own shape.</summary>
public static class GeneratedFile
{
    private static readonly DateTime Now = new(2026, 1, 15, 12, 0, 0, DateTimeKind.Utc);

    /// <summary>
    /// count contacts with explicit ids firstId, firstId+1, … (contact ids are global, and explicit ids make two
    /// imports of the file comparable row by row, whatever ids a sequence handed out in between).
    /// </summary>
    public static string WriteJsonl(string path, int seed, int count, long firstId)
    {
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream);
        var newline = "\n"u8.ToArray();
        foreach (var record in ContactGenerator.Contacts(seed, count, ContactGenerator.Tags(seed, 30), Now))
        {
            json.Reset();
            ImportJsonLines.Write(json, record, firstId + record.Line - 1);
            json.Flush();
            stream.Write(newline);
        }
        return path;
    }

    /// <summary>
    /// What a company holds, independent of the ids sequences handed out and of import time: every contact column
    /// (ids come from the file), tags by name and colour, and which contact carries which tag name.
    /// </summary>
    public static Task<string> DumpAsync(ContactsDatabase db, long companyId) => db.DumpAsync(companyId,
    [
        "SELECT id, first_name, last_name, email, phone_number, phone_number_lid, profile_picture, created_at, updated_at FROM contact WHERE company_id = @company ORDER BY id",
        "SELECT name, color FROM tag WHERE company_id = @company ORDER BY name",
        "SELECT ct.contact_id, t.name FROM contact_tag ct JOIN tag t ON t.id = ct.tag_id WHERE ct.company_id = @company ORDER BY ct.contact_id, t.name",
    ]);

    /// <summary>Rows in the whole database (every company), to tell that nothing at all was left behind.</summary>
    public static async Task<(long Contacts, long Tags, long ContactTags)> CountAllAsync(ContactsDatabase db)
    {
        await using var connection = await db.OpenAsync();
        await using var command = db.Command(connection,
            "SELECT (SELECT count(*) FROM contact), (SELECT count(*) FROM tag), (SELECT count(*) FROM contact_tag)");
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }
}
