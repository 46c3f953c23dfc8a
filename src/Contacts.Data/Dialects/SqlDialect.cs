using System.Data.Common;
using Contacts.Data.Import;
using Contacts.Data.Replication;

namespace Contacts.Data.Dialects;

/// <summary>
/// What SQLite and PostgreSQL do differently, one override per difference, chosen once at start-up
/// (<see cref="Create"/>, from <see cref="ContactsDatabase"/>): the change feed's pieces included. Statements both
/// databases run alike live in the query modules (ContactQueries, TagQueries, ChangeFeedQueries, CompanyQueries,
/// KeyQueries, the import), never here; SQL both dialects would write alike is written once, here.
/// </summary>
public abstract class SqlDialect(DatabaseOptions options) : IAsyncDisposable
{
    /// <summary>The one dialect of the configured database.</summary>
    internal static SqlDialect Create(DatabaseOptions options) => options.Provider switch
    {
        DatabaseProvider.Postgres => new PostgresDialect(options),
        _ => new SqliteDialect(options),
    };

    protected DatabaseOptions Options { get; } = options;

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

    /// <summary>Commands created: how many statements requests cost (operators' dashboards, and the test that a page costs a fixed number).</summary>
    private static readonly System.Diagnostics.Metrics.Counter<long> Commands = ContactsDatabase.Meter.CreateCounter<long>("contacts.db.commands");

    /// <summary>Every command of the service: counted, and bounded by Database:CommandTimeoutSeconds.</summary>
    public DbCommand Command(DbConnection connection, string sql, DbTransaction? transaction = null)
    {
        Commands.Add(1);
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        command.CommandTimeout = Options.CommandTimeoutSeconds;
        return command;
    }

    /// <summary>
    /// Whether the change feed's freshness metrics (docs/operations.md#freshness) mean anything: not on SQLite, which has
    /// one node and one writer.
    /// </summary>
    public virtual bool TracksFreshness => false;

    /// <summary>The primary and its standbys when ConnectionStrings:ContactsReplicas names any; null otherwise.</summary>
    internal virtual ReplicaSet? CreateReplicas(TimeProvider clock) => null;

    /// <summary>Checks (and arranges) that company commands run under the row-level security policies; returns the state for the log.</summary>
    public virtual Task<string> EnsureRowLevelSecurityAsync(CancellationToken ct = default) =>
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
    public virtual Task PrepareForMigrationsAsync(DbConnection connection, CancellationToken ct) => Task.CompletedTask;

    /// <summary>Serialises migrations between processes starting together, inside the migration's transaction.</summary>
    public virtual Task LockMigrationsAsync(DbConnection connection, DbTransaction transaction, CancellationToken ct) =>
        Task.CompletedTask;

    /// <summary>How an import writes: ids, tags and bulk inserts differ between the databases.</summary>
    internal abstract ImportWriter CreateImportWriter(DbConnection connection, DbTransaction transaction, long companyId);

    /// <summary>
    /// Bounds the time the statements run on this connection until the result is disposed (SQLite has no statement
    /// timeout of its own; PostgreSQL's is the command timeout). Null when the database bounds them already.
    /// </summary>
    internal virtual IDisposable? LimitStatementTime(DbConnection connection) => null;

    // The change feed (docs/sync.md; ChangeFeedQueries, ChangeStamp) and the search totals' validation and repair
    // (ContactQueries, docs/search-performance.md) read positions, which each database draws its own way.

    /// <summary>SQL for the company's (@company) horizon: the newest position whose changes, and every lower one's, have
    /// committed and are visible to the statement; a change it cannot see yet gets a higher position. 0 without changes.</summary>
    internal abstract string ChangeHorizon { get; }

    /// <summary>SQL for the company's (@company) position for its ETags (<see cref="Changes.ChangeStamp"/>): moved by every
    /// committed write to its contacts, their tags or its tags, and by no other company's; 0 before any.</summary>
    internal abstract string CompanyPosition { get; }

    /// <summary>SQL for the mark of the current history (contact_change_history).</summary>
    internal const string HistoryMark = "(SELECT h.mark FROM contact_change_history h ORDER BY h.id DESC LIMIT 1)";

    /// <summary>SQL: true while the database is still in the history its change feed began in.</summary>
    internal const string FirstHistory = "(SELECT count(*) = 1 FROM contact_change_history)";

    /// <summary>SQL: true when the company (@company) has a change at a position after <paramref name="position"/>.</summary>
    internal abstract string ChangedAfter(string position);

    /// <summary>
    /// The change log's page: (change_seq, contact_id, deleted_at) of @company after (@start, @after) up to the horizon
    /// of CTE h, in that order, at most @take rows.
    /// </summary>
    internal abstract string ChangeLogPage { get; }

    /// <summary>SQL for the answering node's WAL position as a bigint, read after the statement's snapshot was taken, so at
    /// or past everything the snapshot sees; 0 where there are no standbys.</summary>
    internal virtual string WalPosition => "0";

    /// <summary>Deletes tombstones older than @before, records the purged positions per company, returns how many.</summary>
    internal abstract string PurgeChanges { get; }

    /// <summary>Inserts a new row into contact_change_history with a fresh random mark; returns its id.</summary>
    internal abstract string RestartHistory { get; }

    /// <summary>
    /// For a search total's repair: the ids (contact_id) of @company's contacts changed after position @cached_since, at
    /// most @repair_limit + 1 of them.
    /// </summary>
    internal abstract string ChangedContacts { get; }

    /// <summary>
    /// For each contact of CTE changed: its before-image at @cached_since (contact_id, absent, complete, search_text,
    /// phone_digits, tag_ids), from the first change after it; complete is false, or the row missing, when it cannot tell.
    /// </summary>
    internal abstract string FirstImages { get; }

    /// <summary>SQL: true when a change after @cached_since cannot be repaired from images (bulk, renamed or deleted tag, purged images).</summary>
    internal abstract string RepairBlocked { get; }

    /// <summary>SQL: true when image <c>i</c>'s tag ids include one the uncorrelated subquery finds.</summary>
    internal abstract string ImageHasTag(string tagIds);

    /// <summary>
    /// True when the exception means "the database is not there right now": connection failures, timeouts, a server
    /// shutting down, a busy file (answer 503, retry later).
    /// </summary>
    internal static bool IsUnavailableError(Exception exception) =>
        PostgresDialect.Unavailable(exception) || SqliteDialect.Unavailable(exception);

    public abstract ValueTask DisposeAsync();
}
