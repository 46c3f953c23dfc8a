using System.Globalization;
using System.Text;
using Contacts.Data;

namespace Contacts.Tests.Infrastructure;

/// <summary>A company's rows as text, for "nothing changed" and "these two databases hold the same" assertions.</summary>
public static class CompanyDump
{
    /// <summary>Runs each statement (with @company bound) and writes every row as name=value|, timestamps at full precision.</summary>
    public static async Task<string> DumpAsync(this ContactsDatabase db, long companyId, IEnumerable<string> statements,
        params string[] skipColumns)
    {
        var dump = new StringBuilder();
        await using var connection = await db.OpenAsync();
        foreach (var sql in statements)
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
                    if (skipColumns.Contains(reader.GetName(i))) continue;
                    var value = reader.GetValue(i) switch
                    {
                        DBNull => "null",
                        DateTime t => t.ToString("O", CultureInfo.InvariantCulture),
                        var v => Convert.ToString(v, CultureInfo.InvariantCulture),
                    };
                    dump.Append(reader.GetName(i)).Append('=').Append(value).Append('|');
                }
                dump.AppendLine();
            }
            dump.Append("-- ").Append(rows).AppendLine(" rows");
        }
        return dump.ToString();
    }
}
