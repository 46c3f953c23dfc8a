using System.Globalization;
using System.Text.Json;
using Contacts.Contracts;

namespace Contacts.Data.Import;

/// <summary>Writes a record as one JSON Lines contact in the API's own shape, the form `contacts import` reads (generators, benchmarks, tests).</summary>
public static class ImportJsonLines
{
    public static void Write(Utf8JsonWriter writer, ImportRecord record, long? id = null)
    {
        writer.WriteStartObject();
        if ((id ?? record.Id) is { } value) writer.WriteString("id", value.ToString(CultureInfo.InvariantCulture));
        writer.WriteString("first_name", record.FirstName);
        writer.WriteString("last_name", record.LastName);
        writer.WriteString("email", record.Email);
        writer.WriteString("phone_number", record.PhoneNumber);
        writer.WriteString("phone_number_lid", record.PhoneNumberLid);
        writer.WriteString("profile_picture", record.ProfilePicture);
        writer.WriteString("created_at", record.CreatedAt is { } created ? UtcTimestampConverter.ToWire(created) : null);
        writer.WriteString("updated_at", record.UpdatedAt is { } updated ? UtcTimestampConverter.ToWire(updated) : null);
        writer.WriteStartArray("tags");
        foreach (var tag in record.Tags)
        {
            writer.WriteStartObject();
            writer.WriteString("name", tag.Name);
            writer.WriteString("color", tag.Color);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
