using System.Data.Common;
using System.Globalization;
using Contacts.Data.Changes;
using Contacts.Data.Replication;

namespace Contacts.Data;

internal static class PagedQuery
{
    /// <summary>
    /// One round trip, one command: the company scope for row-level security, the company's stamp, the total and the
    /// page. read sees each page row and returns the row's total (used when sql.Count is null). Returns the total and
    /// the stamp, read on the node that read the page, in a statement before the page's.
    /// </summary>
    public static async Task<(long Total, ChangeStamp Stamp)> RunAsync(ContactsDatabase db, long company, PageWindow window, Filter filter,
        PageSql sql, bool customPlans, Func<DbDataReader, long> read, CancellationToken ct, Action<DbDataReader>? countRow = null)
    {
        // On a standby when there are any; tried again on another node only while no row has reached read, and then rows
        // of the attempt given up never reach it (ReadDelivery).
        var delivery = new ReadDelivery();
        return await db.ReadAsync(async (connection, ct) =>
        {
            var attempt = delivery.Start();
            using var timeLimit = db.Dialect.LimitStatementTime(connection);
            long? total = null;
            ChangeStamp stamp;
            var statements = ChangeStamp.Sql(db) + ";\n" + (sql.Count is null ? sql.Page : sql.Count + ";\n" + sql.Page);
            await using (var command = db.CompanyCommand(connection, company, statements, customPlans))
            {
                filter.Bind(command);
                ContactsDatabase.AddParameter(command, "@limit", window.Limit);
                ContactsDatabase.AddParameter(command, "@offset", window.Offset);
                await using var reader = await db.ExecuteForCompanyAsync(command, ct);
                stamp = await ChangeStamp.ReadAsync(reader, ct);
                if (sql.Count is not null)
                {
                    await reader.ReadAsync(ct);
                    // NULL: the page's own rows carry the total (a window count); the count row only reports its horizon.
                    total = reader.IsDBNull(0) ? null : Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture);
                    if (countRow is not null) delivery.Hand(attempt, r => { countRow(r); return 0; }, reader);
                    await reader.NextResultAsync(ct);
                }
                while (await reader.ReadAsync(ct))
                {
                    var rowTotal = delivery.Hand(attempt, read, reader);
                    total ??= rowTotal;
                }
            }
            if (total is { } known) return (known, stamp);
            if (window.Offset == 0) return (0L, stamp);

            await using var count = db.CompanyCommand(connection, company, sql.CountAll, customPlans);
            filter.Bind(count);
            await using var countReader = await db.ExecuteForCompanyAsync(count, ct);
            await countReader.ReadAsync(ct);
            return (Convert.ToInt64(countReader.GetValue(0), CultureInfo.InvariantCulture), stamp);
        }, canRetry: delivery.CanRetry, ct: ct);
    }

    public static string Id(DbDataReader reader, int ordinal) => reader.GetInt64(ordinal).ToString(CultureInfo.InvariantCulture);

    public static DateTimeOffset Utc(DateTime utc) => new(utc, TimeSpan.Zero);
}
