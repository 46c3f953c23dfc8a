using System.Globalization;
using System.Text;
using System.Text.Json;
using Contacts.Data;
using Contacts.Data.Generation;

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
            json.WriteStartObject();
            json.WriteString("id", (firstId + record.Line - 1).ToString(CultureInfo.InvariantCulture));
            json.WriteString("first_name", record.FirstName);
            json.WriteString("last_name", record.LastName);
            json.WriteString("email", record.Email);
            json.WriteString("phone_number", record.PhoneNumber);
            json.WriteString("phone_number_lid", record.PhoneNumberLid);
            json.WriteString("profile_picture", record.ProfilePicture);
            if (record.CreatedAt is { } created) json.WriteString("created_at", ContactsDatabase.FormatTimestamp(created));
            if (record.UpdatedAt is { } updated) json.WriteString("updated_at", ContactsDatabase.FormatTimestamp(updated));
            json.WriteStartArray("tags");
            foreach (var tag in record.Tags)
            {
                json.WriteStartObject();
                json.WriteString("name", tag.Name);
                json.WriteString("color", tag.Color);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
            json.Flush();
            stream.Write(newline);
        }
        return path;
    }

    /// <summary>
    /// What a company holds, independent of the ids sequences handed out and of import time: every contact column
    /// (ids come from the file), tags by name and colour, and which contact carries which tag name.
    /// </summary>
    public static async Task<string> DumpAsync(ContactsDatabase db, long companyId)
    {
        var dump = new StringBuilder();
        await using var connection = await db.OpenAsync();
        foreach (var sql in new[]
                 {
                     "SELECT id, first_name, last_name, email, phone_number, phone_number_lid, profile_picture, created_at, updated_at FROM contact WHERE company_id = @company ORDER BY id",
                     "SELECT name, color FROM tag WHERE company_id = @company ORDER BY name",
                     "SELECT ct.contact_id, t.name FROM contact_tag ct JOIN tag t ON t.id = ct.tag_id WHERE ct.company_id = @company ORDER BY ct.contact_id, t.name",
                 })
        {
            await using var command = db.Command(connection, sql);
            ContactsDatabase.AddParameter(command, "@company", companyId);
            await using var reader = await command.ExecuteReaderAsync();
            var rows = 0;
            while (await reader.ReadAsync())
            {
                rows++;
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    dump.Append(reader.GetValue(i) switch
                    {
                        DBNull => "null",
                        DateTime t => ContactsDatabase.FormatTimestamp(t),
                        var v => Convert.ToString(v, CultureInfo.InvariantCulture),
                    }).Append('|');
                }
                dump.Append('\n');
            }
            dump.Append("-- ").Append(rows).Append(" rows\n");
        }
        return dump.ToString();
    }

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
