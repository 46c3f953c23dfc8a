using System.Data.Common;
using Contacts.Data.Import;
using Contacts.Data.Contacts;

namespace Contacts.Data.Dialects;

/// <summary>
/// What SQLite and PostgreSQL do differently, one override per difference, chosen once at start-up
/// (<see cref="ContactsDatabase"/>). Statements both databases run alike live in the query modules
/// (ContactQueries, TagQueries, CompanyQueries, KeyQueries, the import), never here.
/// </summary>
public abstract class SqlDialect : IAsyncDisposable
{
    public abstract DatabaseProvider Provider { get; }

    /// <summary>Full path of the SQLite database file; null on a server database.</summary>
    public virtual string? SqliteFile => null;

    public abstract ValueTask<DbConnection> OpenAsync(CancellationToken ct);

    /// <summary>A connection as the schema owner (ConnectionStrings:ContactsMigrations when set): for migrations.</summary>
    public virtual ValueTask<DbConnection> OpenAsOwnerAsync(CancellationToken ct) => OpenAsync(ct);

    /// <summary>
    /// The text of a command that runs <paramref name="sql"/> for one company. Read its results with
    /// <see cref="SkipScopeAsync"/> first. customPlans: the statements' best plan depends on their values (searches).
    /// </summary>
    public virtual string ScopeToCompany(string sql, bool customPlans) => sql;

    /// <summary>Binds what <see cref="ScopeToCompany"/> added.</summary>
    public virtual void BindScope(DbCommand command, long company)
    {
    }

    /// <summary>Moves a reader past the results of what <see cref="ScopeToCompany"/> added.</summary>
    public virtual Task SkipScopeAsync(DbDataReader reader, CancellationToken ct) => Task.CompletedTask;

    /// <summary>Checks (and arranges) that company commands run under the row-level security policies; returns the state for the log.</summary>
    public virtual Task<string> EnsureRowLevelSecurityAsync(ContactsDatabase db, CancellationToken ct = default) =>
        Task.FromResult("no row-level security on SQLite: every statement carries the company filter");

    public abstract object TimestampValue(DateTime utc);

    public abstract DateTime ReadTimestamp(DbDataReader reader, int ordinal);

    /// <summary>SQL for a search pattern parameter, folded the way the stored folded text was.</summary>
    public abstract string FoldedParameter(string parameter);

    /// <summary>The value for a pattern parameter from an escaped search term.</summary>
    public abstract string PatternValue(string escapedTerm);

    /// <summary>"column IN (...)" for a list of values, binding them on the command.</summary>
    public abstract string AnyOf<T>(DbCommand command, string column, string name, IReadOnlyList<T> values);

    /// <summary>
    /// The condition on contact <c>c</c> for a term of three or more characters, through this database's trigram index;
    /// null when the index cannot serve the term (the query module then scans the company's contacts).
    /// </summary>
    public abstract string? IndexedSearch(SearchSql search);

    /// <summary>`tag_id` among the ids the uncorrelated subquery finds, found once per statement, not once per outer row.</summary>
    public virtual string InTagsFoundOnce(string tagIds) => $"IN ({tagIds})";

    /// <summary>
    /// An unfiltered page deep in a big company: a WITH clause that finds where the page starts, and the ids statement
    /// that uses it (binds @company, @limit, @offset); null to walk the (company_id, id) index to the offset.
    /// </summary>
    public virtual (string With, string PageIds)? DeepPage(long offset) => null;

    /// <summary>SELECT key_id, company_id, secret_hash, revoked for @key_id, visible before the company is known.</summary>
    public abstract string FindKeySql { get; }

    /// <summary>Sets last_used_at = @now for many keys (binds the keys; the caller binds @now).</summary>
    public abstract string TouchKeysSql(DbCommand command, IReadOnlyList<string> keyIds);

    /// <summary>Runs once on the migration connection before any script (e.g. the journal mode).</summary>
    public virtual Task PrepareForMigrationsAsync(ContactsDatabase db, DbConnection connection, CancellationToken ct) => Task.CompletedTask;

    /// <summary>Serialises migrations between processes starting together, inside the migration's transaction.</summary>
    public virtual Task LockMigrationsAsync(ContactsDatabase db, DbConnection connection, DbTransaction transaction, CancellationToken ct) =>
        Task.CompletedTask;

    /// <summary>Where the change feed differs: positions, the horizon of a company (also for SearchTotals), the purge.</summary>
    internal abstract Changes.ChangeFeedDialect ChangeFeed { get; }

    /// <summary>How an import writes: ids, tags and bulk inserts differ between the databases.</summary>
    internal abstract ImportWriter CreateImportWriter(ContactsDatabase db, DbConnection connection, DbTransaction transaction, long companyId);

    /// <summary>Exact search totals of this database, each valid while its company's data version is unchanged.</summary>
    internal SearchTotals SearchTotals { get; } = new(SearchTotals.DefaultCapacity);

    /// <summary>
    /// Bounds the time the statements run on this connection until the result is disposed (SQLite has no statement
    /// timeout of its own; PostgreSQL's is the command timeout). Null when the database bounds them already.
    /// </summary>
    internal virtual IDisposable? LimitStatementTime(DbConnection connection) => null;

    public abstract ValueTask DisposeAsync();
}

/// <summary>
/// The pieces of a contacts search for <see cref="SqlDialect.IndexedSearch"/>: the folded pattern's SQL, the statement that
/// finds contacts by a tag name, whether the term looks like a phone number (then @digits is bound too).
/// </summary>
public sealed record SearchSql(string Pattern, string ByTag, bool PhoneLike, string FoldedTerm);
