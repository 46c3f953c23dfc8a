using System.Data.Common;

namespace Contacts.Data;

/// <summary>A WHERE clause and its parameter values; it always starts with the tenant filter.</summary>
internal sealed class Filter(string tenantCondition, long company)
{
    public string Sql { get; set; } = tenantCondition;

    /// <summary>The condition for the page's statement, where it differs from the count's (see ContactQueries.AddSearch).</summary>
    public string? PageSql { get; set; }

    public string Page => PageSql ?? Sql;

    /// <summary>A search's test of one contact <c>c</c> as it is now, and of a before-image <c>i</c> (the total's repair).</summary>
    public (string Row, string Image)? RepairTests { get; set; }
    public Dictionary<string, object> Parameters { get; } = new() { ["@company"] = company };

    public void Bind(DbCommand command)
    {
        foreach (var (name, value) in Parameters) ContactsDatabase.AddParameter(command, name, value);
    }
}
