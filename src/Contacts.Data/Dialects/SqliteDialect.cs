using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using Contacts.Contracts;
using Contacts.Data.Import;
using Microsoft.Data.Sqlite;

namespace Contacts.Data.Dialects;

/// <summary>
/// SQLite: the embedded default. No row-level security (one file per deployment, the tenant filter in every statement),
/// timestamps as ISO-8601 text, folded search columns computed here in C#, one writer at a time.
/// </summary>
public sealed class SqliteDialect : SqlDialect
{
    private readonly string _connectionString;

    public SqliteDialect(DatabaseOptions options) : base(options)
    {
        var builder = new SqliteConnectionStringBuilder(options.ConnectionString ?? DatabaseOptions.DefaultSqliteConnectionString)
        {
            ForeignKeys = true,
            DefaultTimeout = options.CommandTimeoutSeconds,
            Pooling = true,
        };
        _connectionString = builder.ConnectionString;
        StatementTimeLimit = TimeSpan.FromSeconds(options.CommandTimeoutSeconds);
        SqliteFile = Path.GetFullPath(builder.DataSource);
    }

    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;
    public override string SqliteFile { get; }

    public override async ValueTask<DbConnection> OpenAsync(CancellationToken ct)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(ct);
        return connection;
    }

    /// <summary>Text sorts like time only in one fixed format: the wire's, UTC with three fractional digits.</summary>
    public override object TimestampValue(DateTime utc) => UtcTimestampConverter.ToWire(utc);

    public override DateTime ReadTimestamp(DbDataReader reader, int ordinal) =>
        DateTime.Parse(reader.GetString(ordinal), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    /// <summary>SQLite cannot run the folding (it is C#): stored folded text is written by the application, the pattern folded here.</summary>
    public override string FoldedParameter(string parameter) => parameter;

    public override string PatternValue(string escapedTerm) => SearchText.ContainsPattern(SearchText.Fold(escapedTerm));

    public override string AnyOf<T>(DbCommand command, string column, string name, IReadOnlyList<T> values)
    {
        if (values.Count == 0) return "1 = 0";
        var names = new string[values.Count];
        for (var i = 0; i < values.Count; i++)
        {
            names[i] = $"@{name}{i}";
            ContactsDatabase.AddParameter(command, names[i], values[i]);
        }
        return $"{column} IN ({string.Join(", ", names)})";
    }

    /// <summary>
    /// Candidates from the FTS5 trigram index (migration 0004; all companies, and no ESCAPE there, so only for terms
    /// without LIKE metacharacters), each rechecked against its contact row and company. Measured on medium against a
    /// scan of 0003's covering index: selective 476 → 1,394 req/s, phone 292 → 1,221 req/s (bench/README.md).
    /// </summary>
    /// <remarks>
    /// The FTS index holds every company's rows, so its candidates cost work over other companies' data. It is used
    /// only when the caller's company holds at least a tenth of all contacts (so the others' entries are at most nine
    /// times its own); any other company scans its own rows in 0003's covering index, which reads no other company's
    /// entries. The FTS branch tests the choice as a constant condition, which SQLite tests before that branch reads;
    /// the scanning branch puts it in its index key (<see cref="SmallCompany"/>), where a constant NOT in its WHERE
    /// still let the large company scan all its rows (medium: selective 1,394 → 380 req/s).
    /// </remarks>
    public override string? IndexedSearch(SearchSql search) => search.FoldedTerm.IndexOfAny(['%', '_', '\\']) >= 0 ? null : $"""
         AND c.id IN ({search.Ids($"""
                      SELECT x.id FROM contact x WHERE x.id IN (SELECT rowid FROM contact_search WHERE {LargeCompany} AND search_text LIKE @pattern)
                          AND x.company_id = @company AND x.search_text LIKE @pattern ESCAPE '\'
                      UNION SELECT x.id FROM contact x WHERE x.company_id = {SmallCompany} AND x.search_text LIKE @pattern ESCAPE '\'
                      UNION {search.ByTag}{(search.PhoneLike ? $"""
                       UNION SELECT x.id FROM contact x WHERE x.id IN (SELECT rowid FROM contact_search WHERE {LargeCompany} AND phone_digits LIKE @digits)
                          AND x.company_id = @company AND x.phone_digits LIKE @digits
                       UNION SELECT x.id FROM contact x WHERE x.company_id = {SmallCompany} AND x.phone_digits LIKE @digits
                      """ : "")}
                      """)})
        """;

    // A company with at least a tenth of the file's contacts: the shared index's other entries are at most nine times its
    // own, and its trigram lookup is still far cheaper than scanning its rows (medium: 25 % of the file, selective
    // search 282 req/s scanning against 1,394 with the index). The condition is constant, written inside each branch's
    // own WHERE so that SQLite tests it before that branch reads anything: in the outer WHERE, the FTS candidates were
    // collected first, and a 120-contact company paid for them (p99 117 ms against 26 ms alone, bench/README.md).
    private const string LargeCompany = """
        (SELECT coalesce((SELECT contacts FROM company_contact_count WHERE company_id = @company), 0) * 10
                >= (SELECT coalesce(sum(contacts), 0) FROM company_contact_count))
        """;

    /// <summary>The company when it is not large, else NULL: an index lookup on it finds nothing without reading a row.</summary>
    private const string SmallCompany = $"(SELECT @company WHERE NOT {LargeCompany})";

    /// <summary>Database:CommandTimeoutSeconds, enforced per statement by <see cref="LimitStatementTime"/>; tests shorten it.</summary>
    internal TimeSpan StatementTimeLimit { get; set; }

    /// <summary>
    /// A progress handler checks the deadline every 1,000 virtual-machine instructions and interrupts the statement
    /// past it (SQLITE_INTERRUPT, answered 503 like PostgreSQL's statement timeout); removed again before the
    /// connection goes back to the pool.
    /// </summary>
    internal override IDisposable? LimitStatementTime(DbConnection connection) =>
        connection is SqliteConnection { Handle: { } handle } ? new StatementDeadline(handle, StatementTimeLimit) : null;

    private sealed class StatementDeadline : IDisposable
    {
        private static readonly SQLitePCL.delegate_progress Check = state => Stopwatch.GetTimestamp() >= ((StatementDeadline)state)._deadline ? 1 : 0;

        private readonly SQLitePCL.sqlite3 _handle;
        private readonly long _deadline;

        public StatementDeadline(SQLitePCL.sqlite3 handle, TimeSpan limit)
        {
            _handle = handle;
            _deadline = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency);
            SQLitePCL.raw.sqlite3_progress_handler(handle, 1000, Check, this);
        }

        public void Dispose() => SQLitePCL.raw.sqlite3_progress_handler(_handle, 0, null, null);
    }

    public override string FindKeySql => "SELECT key_id, company_id, secret_hash, revoked_at IS NOT NULL FROM api_key WHERE key_id = @key_id";

    public override string TouchKeysSql(DbCommand command, IReadOnlyList<string> keyIds) =>
        $"UPDATE api_key SET last_used_at = @now WHERE {AnyOf(command, "key_id", "k", keyIds)}";

    /// <summary>WAL lets readers go on while an import writes; the setting is stored in the file.</summary>
    public override async Task PrepareForMigrationsAsync(DbConnection connection, CancellationToken ct)
    {
        await using var wal = Command(connection, "PRAGMA journal_mode=WAL;");
        await wal.ExecuteNonQueryAsync(ct);
    }

    internal override ImportWriter CreateImportWriter(DbConnection connection, DbTransaction transaction, long companyId) =>
        new SqliteImportWriter(this, connection, transaction, companyId);

    /// <summary>
    /// SQLITE_BUSY and SQLITE_LOCKED: another writer holds the file past the busy timeout; SQLITE_INTERRUPT: a statement
    /// ran past <see cref="StatementTimeLimit"/>.
    /// </summary>
    internal static bool Unavailable(Exception exception) => exception is SqliteException { SqliteErrorCode: 5 or 6 or 9 };

    // The change feed: change_seq is a counter bumped by the one writer (migration 0006). No standbys: no WAL position.

    // A writer's numbers are above everything committed before it, and a reader sees only committed ones: every number
    // up to the counter it sees is final. Writers of other companies wait for the one writer, readers never do.
    internal override string ChangeHorizon => "(SELECT seq FROM contact_change_counter)";

    // The counter is shared by every company: its own newest change (one probe of contact_change_feed), or its tags'
    // newest write (migration 0010), whichever is later.
    internal override string CompanyPosition => """
        max(coalesce((SELECT max(cc.change_seq) FROM contact_change cc WHERE cc.company_id = @company), 0),
            coalesce((SELECT t.change_seq FROM company_tag_change t WHERE t.company_id = @company), 0))
        """;

    internal override string ChangedAfter(string position) =>
        $"EXISTS (SELECT 1 FROM contact_change x WHERE x.company_id = @company AND x.change_seq > {position})";

    internal override string ChangeLogPage => """
        SELECT cc.change_seq, cc.contact_id, cc.deleted_at FROM contact_change cc
        WHERE cc.company_id = @company AND (cc.change_seq, cc.contact_id) > (@start, @after)
          AND cc.change_seq <= (SELECT horizon FROM h)
        ORDER BY cc.change_seq, cc.contact_id LIMIT @take
        """;

    internal override string RestartHistory => """
        INSERT INTO contact_change_history (mark, started_at)
        VALUES ((abs(random()) % 9007199254740991) + 1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) RETURNING id
        """;

    // Also the search images (migration 0011) of changes before the counter at the previous purge: each is kept between
    // one and two purge intervals (Sync:PurgeIntervalMinutes, an hour), at least as long as a cached total lives unvalidated.
    internal override string PurgeChanges => """
        DELETE FROM contact_search_image WHERE at < (SELECT next_below FROM contact_search_image_purge);
        DELETE FROM contact_search_bulk WHERE at < (SELECT next_below FROM contact_search_image_purge);
        UPDATE contact_search_image_purge SET below = next_below, next_below = (SELECT seq FROM contact_change_counter);
        INSERT INTO contact_change_purge (company_id, purged_through)
        SELECT company_id, max(change_seq) FROM contact_change WHERE deleted_at < @before GROUP BY company_id
        ON CONFLICT (company_id) DO UPDATE SET purged_through = max(purged_through, excluded.purged_through);
        DELETE FROM contact_change WHERE deleted_at < @before;
        SELECT changes();
        """;

    internal override string ChangedContacts => """
        SELECT cc.contact_id FROM contact_change cc
        WHERE cc.company_id = @company AND cc.change_seq > @cached_since
        LIMIT @repair_limit + 1
        """;

    // Migration 0011: an image per change, taken before the counter moves (at); the first one at or after the position
    // (the next writer starts from the counter the reader saw) holds the state at it.
    internal override string FirstImages => """
        SELECT i.contact_id, i.absent, 1 AS complete, i.search_text, i.phone_digits, i.tag_ids
        FROM changed ch
        JOIN contact_search_image i ON i.n = (
            SELECT min(j.n) FROM contact_search_image j
            WHERE j.company_id = @company AND j.contact_id = ch.contact_id AND j.at >= @cached_since)
        """;

    internal override string RepairBlocked => """
        (EXISTS (SELECT 1 FROM contact_search_bulk b WHERE b.company_id = @company AND b.at >= @cached_since)
         OR @cached_since < (SELECT p.below FROM contact_search_image_purge p))
        """;

    internal override string ImageHasTag(string tagIds) => $"EXISTS (SELECT 1 FROM json_each(i.tag_ids) j WHERE j.value IN ({tagIds}))";

    public override ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        return ValueTask.CompletedTask;
    }
}
