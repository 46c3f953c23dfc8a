using System.Data.Common;
using System.Globalization;
using Contacts.Data.Import;
using Contacts.Data.Replication;
using Npgsql;

namespace Contacts.Data.Dialects;

/// <summary>PostgreSQL: the production database. Row-level security, trigram indexes, per-block counters, COPY.</summary>
public sealed class PostgresDialect : SqlDialect
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly NpgsqlDataSource? _owner;

    public PostgresDialect(DatabaseOptions options) : base(options)
    {
        _dataSource = DataSource(options, options.ConnectionString, "primary");
        if (options.MigrationsConnectionString is { } owner && owner != options.ConnectionString)
            _owner = DataSource(options, owner, "owner");
    }

    /// <summary>The standbys' pools beside the primary's, which the replica monitor compares them with.</summary>
    internal override ReplicaSet? CreateReplicas(TimeProvider clock) => Options.Replicas.ConnectionStrings.Count == 0 ? null
        : new ReplicaSet(_dataSource,
            Options.Replicas.ConnectionStrings.Select((s, i) => DataSource(Options, s, $"replica-{i + 1}")).ToList(), Options.Replicas, clock);

    /// <summary>
    /// A pool with the service's settings (the standbys' pools get the same). Its name labels Npgsql's metrics and spans
    /// instead of the connection string (host, port, database and user), which they carry otherwise.
    /// </summary>
    private static NpgsqlDataSource DataSource(DatabaseOptions options, string? connectionString, string name)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!ExplicitlySet(connectionString, "Timeout")) builder.Timeout = options.ConnectTimeoutSeconds;
        if (!ExplicitlySet(connectionString, "Command Timeout")) builder.CommandTimeout = options.CommandTimeoutSeconds;
        if (!ExplicitlySet(connectionString, "Maximum Pool Size")) builder.MaxPoolSize = options.MaxPoolSize;
        builder.ApplicationName ??= "contacts";
        // Requests leave no session state behind (the company setting is transaction-local, see ScopeToCompany), so the
        // pool need not send DISCARD ALL on every return, and the prepared statements survive from one rental to the next:
        // a statement used twice is prepared (parsed once per server session, and planned once where the plan does not
        // depend on the values; see ScopeToCompany's customPlans).
        if (!ExplicitlySet(connectionString, "No Reset On Close")) builder.NoResetOnClose = true;
        if (!ExplicitlySet(connectionString, "Max Auto Prepare")) builder.MaxAutoPrepare = 64;
        if (!ExplicitlySet(connectionString, "Auto Prepare Min Usages")) builder.AutoPrepareMinUsages = 2;
        return new NpgsqlDataSourceBuilder(builder.ConnectionString) { Name = name }.Build();
    }

    private static bool ExplicitlySet(string? connectionString, string keyword) =>
        connectionString?.Contains(keyword, StringComparison.OrdinalIgnoreCase) == true;

    public override DatabaseProvider Provider => DatabaseProvider.Postgres;

    public override bool TracksFreshness => true;

    public override async ValueTask<DbConnection> OpenAsync(CancellationToken ct) => await _dataSource.OpenConnectionAsync(ct);

    public override async ValueTask<DbConnection> OpenAsOwnerAsync(CancellationToken ct) =>
        await (_owner ?? _dataSource).OpenConnectionAsync(ct);

    /// <summary>
    /// The first statement sets contacts.company_id, which the row-level security policies read (docs/isolation.md), for
    /// the command's own implicit transaction only: the statements of one command share a transaction, the setting ends
    /// with it, and the pooled session keeps nothing of the request. plan_cache_mode, set for the same transaction,
    /// decides how the prepared statements are planned: customPlans plans each execution for its values (searches and
    /// filters), otherwise the prepared generic plan is used as is. Left to itself ("auto"), PostgreSQL re-planned the
    /// unfiltered page on every request (a generic LIMIT $2 looks costlier than LIMIT 10): 66 % of its time in perf;
    /// list page 1 went 1,367 → 4,591 req/s with the generic plan (bench/README.md).
    /// </summary>
    public override string ScopeToCompany(string sql, bool customPlans) =>
        $"SELECT {(_switchRole ? $"set_config('role', '{ApiRole}', true), " : "")}set_config('contacts.company_id', @scope_company, true), " +
        $"set_config('plan_cache_mode', '{(customPlans ? "force_custom_plan" : "force_generic_plan")}', true);\n" + sql;

    /// <summary>
    /// The change feed's tables and the search totals' before-images, which the role the policies apply to must read
    /// (migrations 0007, 0010, 0013).
    /// </summary>
    private static readonly string[] ChangeTables = ["contact_change", "contact_change_purge", "contact_change_txn", "contact_change_history",
        "contact_search_image", "contact_search_bulk", "contact_search_image_purge"];

    /// <summary>The role the API's company commands run as when the service connects as one the policies skip (migration 0008).</summary>
    public const string ApiRole = "contacts_api";

    // Fail closed until EnsureRowLevelSecurityAsync has looked: switching to a role that is missing fails the request,
    // not switching could run it past the policies.
    private volatile bool _switchRole = true;

    /// <summary>
    /// Row-level security on by default: when the service's own role bypasses the policies (the tables' owner, a
    /// superuser, BYPASSRLS: the usual single connection string), company commands switch to <see cref="ApiRole"/> for
    /// their transaction. When that is impossible, start-up stops with one line naming the fix, unless the operator set
    /// Database:RowLevelSecurity=Off. Returns the state, for the start-up log.
    /// </summary>
    public override async Task<string> EnsureRowLevelSecurityAsync(CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, """
            SELECT r.rolsuper OR r.rolbypassrls OR coalesce(pg_has_role(current_user, t.tableowner, 'USAGE'), false),
                   EXISTS (SELECT 1 FROM pg_roles a WHERE a.rolname = @role AND NOT a.rolbypassrls AND NOT a.rolsuper)
                       AND pg_has_role(current_user, (SELECT a.oid FROM pg_roles a WHERE a.rolname = @role), 'MEMBER'),
                   current_user,
                   has_function_privilege(current_user, 'contacts_search_ids(bigint, text, text)', 'EXECUTE'),
                   CASE WHEN EXISTS (SELECT 1 FROM pg_roles a WHERE a.rolname = @role)
                        THEN has_function_privilege(@role, 'contacts_search_ids(bigint, text, text)', 'EXECUTE') END,
                   (SELECT bool_and(has_table_privilege(current_user, t, 'SELECT')) FROM unnest(@change_tables) t),
                   CASE WHEN EXISTS (SELECT 1 FROM pg_roles a WHERE a.rolname = @role)
                        THEN (SELECT bool_and(has_table_privilege(@role, t, 'SELECT')) FROM unnest(@change_tables) t) END
            FROM pg_roles r LEFT JOIN pg_tables t ON t.schemaname = current_schema() AND t.tablename = 'contact'
            WHERE r.rolname = current_user
            """);
        ContactsDatabase.AddParameter(command, "@role", ApiRole);
        ContactsDatabase.AddParameter(command, "@change_tables", ChangeTables);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var (bypasses, canSwitch, user) = (reader.GetBoolean(0), reader.GetBoolean(1), reader.GetString(2));
        var (userSearches, apiRoleSearches) = (reader.GetBoolean(3), !reader.IsDBNull(4) && reader.GetBoolean(4));
        var (userReadsChanges, apiRoleReadsChanges) = (reader.GetBoolean(5), !reader.IsDBNull(6) && reader.GetBoolean(6));
        var off = Options.RowLevelSecurity == RowLevelSecurityMode.Off;
        // Searches call contacts_search_ids (migration 0009) as the role the policies apply to: without EXECUTE every
        // search would fail, so start-up says so instead.
        var searcher = !bypasses ? (user, userSearches) : !off && canSwitch ? (ApiRole, apiRoleSearches) : (user, true);
        if (!searcher.Item2)
            throw new InvalidOperationException(
                $"The role '{searcher.Item1}' may not execute contacts_search_ids, which every search calls under row-level security. " +
                $"Have the tables' owner run 'GRANT EXECUTE ON FUNCTION contacts_search_ids(bigint, text, text) TO {searcher.Item1};' (docs/isolation.md).");
        // The change feed and every search's cached total read the change positions (migration 0010) as the same role.
        var readsChanges = !bypasses ? userReadsChanges : !off && canSwitch ? apiRoleReadsChanges : true;
        if (!readsChanges)
            throw new InvalidOperationException(
                $"The role '{searcher.Item1}' may not read the change positions and search images, which the change feed and every search read under row-level security. " +
                $"Have the tables' owner run 'GRANT SELECT ON {string.Join(", ", ChangeTables)} TO {searcher.Item1};' (docs/isolation.md).");
        if (!bypasses || off)
        {
            _switchRole = false;
            return !bypasses ? $"row-level security applies to '{user}'"
                : $"row-level security OFF (Database:RowLevelSecurity=Off): '{user}' bypasses the policies";
        }
        if (canSwitch)
        {
            _switchRole = true;
            return $"row-level security: company commands run as {ApiRole} ('{user}' bypasses the policies)";
        }
        throw new InvalidOperationException(
            $"Row-level security cannot apply: the service connects as '{user}', which bypasses the policies (owner, superuser or BYPASSRLS), " +
            $"and cannot switch to the role {ApiRole} (migration 0008 needs CREATEROLE to create it). Have an administrator run " +
            $"'CREATE ROLE {ApiRole} NOLOGIN; GRANT {ApiRole} TO {user}; GRANT USAGE ON SCHEMA <schema> TO {ApiRole}; GRANT SELECT ON contact, tag, contact_tag, company_contact_count, tag_contact_count, contact_block_count, {string.Join(", ", ChangeTables)} TO {ApiRole}; GRANT EXECUTE ON FUNCTION contacts_search_ids(bigint, text, text) TO {ApiRole};', " +
            "connect as a role that does not own the tables (docs/isolation.md), or set Database:RowLevelSecurity=Off to run without it.");
    }

    public override void BindScope(DbCommand command, long company) =>
        ContactsDatabase.AddParameter(command, "@scope_company", company.ToString(CultureInfo.InvariantCulture));

    public override Task SkipScopeAsync(DbDataReader reader, CancellationToken ct) => reader.NextResultAsync(ct);

    public override object TimestampValue(DateTime utc) => DateTime.SpecifyKind(utc, DateTimeKind.Utc);

    public override DateTime ReadTimestamp(DbDataReader reader, int ordinal) => DateTime.SpecifyKind(reader.GetDateTime(ordinal), DateTimeKind.Utc);

    /// <summary>
    /// The stored folded columns are computed by contacts_fold in the database; the pattern goes through the same
    /// function, once per statement: a scalar subquery is an InitPlan, where a bare call in a generic plan was
    /// evaluated for every row it filtered (EXPLAIN: like_escape(contacts_fold($1)) in the row filter).
    /// </summary>
    public override string FoldedParameter(string parameter) => $"(SELECT contacts_fold({parameter}))";

    public override string PatternValue(string escapedTerm) => SearchText.ContainsPattern(escapedTerm);

    /// <summary>One array parameter: one statement text whatever the count, so it stays prepared.</summary>
    public override string AnyOf<T>(DbCommand command, string column, string name, IReadOnlyList<T> values)
    {
        if (values.Count == 0) return "1 = 0";
        ContactsDatabase.AddParameter(command, "@" + name, values.ToArray());
        return $"{column} = ANY(@{name})";
    }

    /// <summary>
    /// The index lookups (per-company search keys, migration 0014; pg_trgm's company-first indexes of 0005 before) through
    /// contacts_search_ids (migration 0009):
    /// under the policies PostgreSQL cannot use an index for LIKE, which is not leakproof, and read every contact of the
    /// company instead (rare surname, 25,000 contacts: 43 → 0.6 ms). The function applies the policies' company itself.
    /// The ids are collected first (ARRAY) and then fetched by id: an OR with a subquery, or even IN (UNION ...), lets
    /// PostgreSQL read every contact of the company instead. "Lewandowska" reads 159 heap rows instead of 728.
    /// </summary>
    public override string IndexedSearch(SearchSql search) => $"""
         AND c.id = ANY(ARRAY({search.Ids($"""
                      SELECT x.id FROM contacts_search_ids(@company, {search.Pattern}, {(search.PhoneLike ? "@digits" : "NULL")}) x(id)
                      UNION {search.ByTag}
                      """)}))
        """;

    /// <summary>
    /// An ARRAY of an uncorrelated subquery is an InitPlan, computed once per statement; `IN (subquery)` inside a
    /// correlated EXISTS re-ran the tag lookup for every probe. An empty array does not keep a generic plan from reading
    /// the index (it tests the array in the probe's filter): the page guards the probe instead (ContactQueries.AddSearch).
    /// </summary>
    public override string InTagsFoundOnce(string tagIds) => $"= ANY(ARRAY({tagIds}))";

    /// <summary>
    /// From this offset on, an unfiltered page starts from contact_block_count (migration 0004: contacts per company
    /// per block of 1,024 ids, kept by the statement-level counter trigger) instead of walking the index to the offset:
    /// offset 125,000 cost 0.4 ms instead of 25 ms (EXPLAIN), deep page 173 → 3,270 req/s. Below it walking is as cheap.
    /// </summary>
    internal const int BlockPagingFromOffset = 2048;

    public override (string With, string PageIds)? DeepPage(long offset) => offset < BlockPagingFromOffset ? null : ("""
        WITH start AS (SELECT block, before FROM
            (SELECT block, contacts, (sum(contacts) OVER (ORDER BY block))::bigint - contacts AS before
             FROM contact_block_count WHERE company_id = @company) b
            WHERE before + contacts > @offset ORDER BY block LIMIT 1)

        """,
        """
        SELECT c.id, CAST(0 AS bigint) AS total FROM contact c WHERE c.company_id = @company AND c.id >= (SELECT block * 1024 FROM start)
        ORDER BY c.id LIMIT @limit OFFSET (SELECT @offset - before FROM start)
        """);

    /// <summary>Through a SECURITY DEFINER function: the company is not known yet, so row-level security would hide the key.</summary>
    public override string FindKeySql => "SELECT key_id, company_id, secret_hash, revoked FROM contacts_find_key(@key_id)";

    /// <summary>SECURITY DEFINER as well: keys of many companies, outside row-level security.</summary>
    public override string TouchKeysSql(DbCommand command, IReadOnlyList<string> keyIds)
    {
        ContactsDatabase.AddParameter(command, "@keys", keyIds.ToArray());
        return "SELECT contacts_touch_keys(@keys, @now)";
    }

    /// <summary>Two servers starting together: the second waits here, then sees the version as applied.</summary>
    public override async Task LockMigrationsAsync(DbConnection connection, DbTransaction transaction, CancellationToken ct)
    {
        await using var lockCommand = Command(connection, "SELECT pg_advisory_xact_lock(7243301)", transaction);
        lockCommand.CommandTimeout = 0; // as long as the other server's migration takes
        await lockCommand.ExecuteNonQueryAsync(ct);
    }

    internal override ImportWriter CreateImportWriter(DbConnection connection, DbTransaction transaction, long companyId) =>
        new PostgresImportWriter(this, (NpgsqlConnection)connection, transaction, companyId);

    /// <summary>Connection failures, statement timeouts, shutdowns and too many connections: answer 503, retry later.</summary>
    internal static bool Unavailable(Exception exception) => exception switch
    {
        NpgsqlException { IsTransient: true } => true,
        NpgsqlException { InnerException: TimeoutException or System.Net.Sockets.SocketException or IOException } => true,
        PostgresException { SqlState: "57014" or "57P01" or "57P02" or "57P03" or "53300" or "08000" or "08003" or "08006" } => true,
        _ => false,
    };

    // The change feed: positions drawn at commit per company, in contact_change_txn (migration 0010).

    // The company's newest position this snapshot sees. Positions are drawn at commit under the company's lock, so every
    // lower one was committed before it and is visible too; a transaction still open draws a higher one when it commits.
    // Other companies' transactions play no part.
    internal override string ChangeHorizon =>
        "coalesce((SELECT max(x.seq) FROM contact_change_txn x WHERE x.company_id = @company), 0)";

    // Tags' own writes give the company a position too (migration 0012).
    internal override string CompanyPosition => ChangeHorizon;

    internal override string ChangedAfter(string position) =>
        $"EXISTS (SELECT 1 FROM contact_change_txn x WHERE x.company_id = @company AND x.seq > {position})";

    // Transactions in position order, each one's contacts in id order (at most a page of them: the sort after the join
    // only orders each transaction's few rows, an incremental sort, however big the transaction was).
    internal override string ChangeLogPage => """
        SELECT x.seq AS change_seq, cc.contact_id, cc.deleted_at
        FROM contact_change_txn x
        CROSS JOIN LATERAL (
            SELECT cc.contact_id, cc.deleted_at FROM contact_change cc
            WHERE cc.company_id = @company AND cc.txn_key = x.txn_key
              AND cc.contact_id > CASE WHEN x.seq = @start THEN @after ELSE -1 END
            ORDER BY cc.contact_id LIMIT @take) cc
        WHERE x.company_id = @company AND x.seq >= @start AND x.seq <= (SELECT horizon FROM h)
        ORDER BY x.seq, cc.contact_id LIMIT @take
        """;

    // A standby: what it has received, which is at or past what it has replayed (a commit becomes visible on replay a moment
    // before the replay position moves past it). The primary: where the next record will go, at or past every commit a
    // snapshot can see, asynchronous commits included (they are visible before they are written).
    internal override string WalPosition => """
        (CASE WHEN pg_is_in_recovery() THEN GREATEST(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())
              ELSE pg_current_wal_insert_lsn() END - '0/0'::pg_lsn)::bigint
        """;

    // A SECURITY DEFINER function: the purge crosses companies, which row-level security forbids the service's role.
    internal override string PurgeChanges => "SELECT contacts_purge_changes(@before)";

    internal override string RestartHistory => """
        INSERT INTO contact_change_history (mark, system_identifier, timeline, database_oid)
        SELECT floor(random() * 9007199254740991)::bigint + 1, i.system_identifier, i.timeline, i.database_oid
        FROM contacts_change_identity() i RETURNING id
        """;

    // The latest change of each contact is in contact_change (one row per contact), its position in contact_change_txn.
    internal override string ChangedContacts => """
        SELECT cc.contact_id FROM contact_change_txn x
        JOIN contact_change cc ON cc.company_id = x.company_id AND cc.txn_key = x.txn_key
        WHERE x.company_id = @company AND x.seq > @cached_since
        LIMIT @repair_limit + 1
        """;

    // Migration 0013: one image per contact and transaction; the first transaction after the position holds the state at it.
    internal override string FirstImages => """
        SELECT DISTINCT ON (i.contact_id) i.contact_id, i.absent, i.text_known AND i.tags_known AS complete,
               i.search_text, i.phone_digits, i.tag_ids
        FROM contact_search_image i
        JOIN contact_change_txn x ON x.txn_key = i.txn_key AND x.company_id = i.company_id
        WHERE i.company_id = @company AND i.contact_id IN (SELECT contact_id FROM changed) AND x.seq > @cached_since
        ORDER BY i.contact_id, x.seq
        """;

    internal override string RepairBlocked => """
        (EXISTS (SELECT 1 FROM contact_search_bulk b
                 JOIN contact_change_txn x ON x.txn_key = b.txn_key AND x.company_id = b.company_id
                 WHERE b.company_id = @company AND x.seq > @cached_since)
         OR EXISTS (SELECT 1 FROM contact_change_txn x
                    WHERE x.company_id = @company AND x.seq > @cached_since
                      AND x.txn_key < (SELECT p.below_key FROM contact_search_image_purge p)))
        """;

    internal override string ImageHasTag(string tagIds) => $"i.tag_ids && ARRAY({tagIds})";

    public override async ValueTask DisposeAsync()
    {
        if (_owner is not null) await _owner.DisposeAsync();
        await _dataSource.DisposeAsync();
    }
}
