using System.Data.Common;
using Npgsql;
using NpgsqlTypes;
using Polly;
using Polly.Retry;

namespace Contacts.Data.Replication;

/// <summary>
/// Reads on a standby, falling back to the primary (<see cref="ReplicaSet.Pick"/>). A read whose node fails before the
/// read delivered anything runs once more, on another node: the failed node is marked down first, so the second pick
/// avoids it. Without standbys a read opens the primary's connection and is not retried, as before replication.
/// </summary>
public static class ReadRouting
{
    private static readonly ResiliencePropertyKey<Func<bool>?> CanRetry = new("contacts.read.can-retry");
    private static readonly ResiliencePropertyKey<bool> NodeFailed = new("contacts.read.node-failed");

    private static readonly ResiliencePipeline Retry = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = 1,
            Delay = TimeSpan.Zero,
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is not null
                && args.Context.Properties.GetValue(NodeFailed, false)
                && (args.Context.Properties.GetValue(CanRetry, null)?.Invoke() ?? true)),
        })
        .Build();

    /// <summary>
    /// Runs <paramref name="read"/> on a connection to a node that serves reads and, when given, has replayed
    /// <paramref name="minimumLsn"/>. canRetry: false once the read has handed rows to its caller (then a failure is final).
    /// </summary>
    public static async Task<T> ReadAsync<T>(this ContactsDatabase db, Func<DbConnection, CancellationToken, Task<T>> read,
        NpgsqlLogSequenceNumber? minimumLsn = null, Func<bool>? canRetry = null, CancellationToken ct = default)
    {
        if (db.Replicas is not { } replicas)
        {
            await using var connection = await db.OpenAsync(ct);
            return await read(connection, ct);
        }
        return await OnReadNodeAsync(replicas, async (connection, token) =>
        {
            await using (connection) return await read(connection, token);
        }, minimumLsn, canRetry, ct);
    }

    /// <summary>
    /// A read connection on a node that has replayed at least <paramref name="minimumLsn"/> (the primary when no standby
    /// has): what a change feed needs so that its next poll never lands behind the cursor the previous one returned
    /// (docs/scale-out.md). Opened on a second node when the first cannot be reached. The caller disposes it.
    /// </summary>
    public static async Task<DbConnection> OpenForReadAsync(this ContactsDatabase db, NpgsqlLogSequenceNumber? minimumLsn = null,
        CancellationToken ct = default) =>
        db.Replicas is { } replicas
            ? await OnReadNodeAsync(replicas, static (connection, _) => Task.FromResult(connection), minimumLsn, null, ct)
            : await db.OpenAsync(ct);

    /// <summary>Opens a connection on the picked node and hands it to use, which disposes it (or returns it).</summary>
    private static async Task<T> OnReadNodeAsync<T>(ReplicaSet replicas, Func<DbConnection, CancellationToken, Task<T>> use,
        NpgsqlLogSequenceNumber? minimumLsn, Func<bool>? canRetry, CancellationToken ct)
    {
        var context = ResilienceContextPool.Shared.Get(ct);
        context.Properties.Set(CanRetry, canRetry);
        try
        {
            return await Retry.ExecuteAsync(static async (context, state) =>
            {
                var (replicas, use, minimumLsn) = state;
                context.Properties.Set(NodeFailed, false);
                var node = replicas.Pick(minimumLsn);
                try
                {
                    var connection = await node.Source.OpenConnectionAsync(context.CancellationToken);
                    node.CountRead();
                    return await use(connection, context.CancellationToken);
                }
                catch (Exception e) when (!context.CancellationToken.IsCancellationRequested && IsNodeFailure(e))
                {
                    context.Properties.Set(NodeFailed, true);
                    // A standby cancelling a query for a conflict with replay is still a good node.
                    if (e is not PostgresException { SqlState: "40001" }) node.MarkDown();
                    throw;
                }
            }, context, (replicas, use, minimumLsn));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>The node is gone or going (connection refused or broken, shutting down, not accepting), not a slow or wrong statement.</summary>
    internal static bool IsNodeFailure(Exception exception) => exception switch
    {
        PostgresException { SqlState: "57P01" or "57P02" or "57P03" or "40001" } => true,
        PostgresException postgres => postgres.SqlState.StartsWith("08", StringComparison.Ordinal),
        NpgsqlException { InnerException: System.Net.Sockets.SocketException or IOException } => true,
        NpgsqlException { InnerException: TimeoutException } npgsql => npgsql.Message.Contains("connect", StringComparison.OrdinalIgnoreCase),
        InvalidOperationException { InnerException: { } inner } => IsNodeFailure(inner),
        _ => false,
    };
}
