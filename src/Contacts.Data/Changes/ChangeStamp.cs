using System.Data.Common;
using System.Globalization;
using Contacts.Data.Dialects;
using Contacts.Data.Replication;

namespace Contacts.Data.Changes;

/// <summary>
/// Where a company's data stood for one read, on the node that answered it: the company's position (moved by every
/// write to its contacts, their tags or its tags), the mark of the change history, and the newest position a purge
/// removed (a purge changes what an old cursor reads without moving the position). Two reads with the same stamp saw
/// the same data of that company, so the API answers the same request alike: its ETag is made from the stamp
/// (docs/api.md#conditional-requests). Read in its own statement before the page's, never after: a stamp may be older
/// than the page it comes with, never newer.
/// </summary>
public sealed record ChangeStamp(long Position, long History, long Purged)
{
    /// <summary>One row of three columns for @company: prepend it to a company command and read it with <see cref="ReadAsync(DbDataReader, CancellationToken)"/>.</summary>
    internal static string Sql(ContactsDatabase db) => $"""
        SELECT {db.Dialect.CompanyPosition}, coalesce({SqlDialect.HistoryMark}, 0),
               coalesce((SELECT p.purged_through FROM contact_change_purge p WHERE p.company_id = @company), 0)
        """;

    /// <summary>Reads the stamp's row and moves the reader to the next result.</summary>
    internal static async Task<ChangeStamp> ReadAsync(DbDataReader reader, CancellationToken ct)
    {
        await reader.ReadAsync(ct);
        var stamp = new ChangeStamp(Long(reader, 0), Long(reader, 1), Long(reader, 2));
        await reader.NextResultAsync(ct);
        return stamp;
    }

    /// <summary>The company's stamp alone, one statement: to answer 304 without reading the page.</summary>
    public static Task<ChangeStamp> ReadAsync(ContactsDatabase db, long company, CancellationToken ct) =>
        db.ReadAsync(async (connection, token) =>
        {
            await using var command = db.CompanyCommand(connection, company, Sql(db));
            ContactsDatabase.AddParameter(command, "@company", company);
            await using var reader = await db.ExecuteForCompanyAsync(command, token);
            await reader.ReadAsync(token);
            return new ChangeStamp(Long(reader, 0), Long(reader, 1), Long(reader, 2));
        }, ct: ct);

    private static long Long(DbDataReader reader, int ordinal) => Convert.ToInt64(reader.GetValue(ordinal), CultureInfo.InvariantCulture);
}
