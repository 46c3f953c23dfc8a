using System.Data.Common;
using Npgsql;
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
    /// Runs <paramref name="read"/> on a connection to a node that serves reads and, when given, has replayed the WAL
    /// position (PostgreSQL's LSN as a number) <paramref name="minimumWalPosition"/>. canRetry: false once the read has
    /// handed rows to its caller (then a failure is final).
    /// </summary>
    public static async Task<T> ReadAsync<T>(this ContactsDatabase db, Func<DbConnection, CancellationToken, Task<T>> read,
        ulong? minimumWalPosition = null, Func<bool>? canRetry = null, CancellationToken ct = default)
    {
        if (db.Replicas is not { } replicas)
        {
            await using var connection = await db.OpenAsync(ct);
            return await read(connection, ct);
        }
        return await OnReadNodeAsync(replicas, async (connection, token) =>
        {
            await using (connection) return await read(connection, token);
        }, minimumWalPosition, canRetry, ct);
    }

    /// <summary>
    /// A read connection on a node that has replayed at least <paramref name="minimumWalPosition"/> (the primary when no standby
    /// has): what a change feed needs so that its next poll never lands behind the cursor the previous one returned
    /// (docs/scale-out.md). Opened on a second node when the first cannot be reached. The caller disposes it.
    /// </summary>
    public static async Task<DbConnection> OpenForReadAsync(this ContactsDatabase db, ulong? minimumWalPosition = null,
        CancellationToken ct = default) =>
        db.Replicas is { } replicas
            ? await OnReadNodeAsync(replicas, static (connection, _) => Task.FromResult(connection), minimumWalPosition, null, ct)
            : await db.OpenAsync(ct);

    /// <summary>Opens a connection on the picked node and hands it to use, which disposes it (or returns it).</summary>
    private static async Task<T> OnReadNodeAsync<T>(ReplicaSet replicas, Func<DbConnection, CancellationToken, Task<T>> use,
        ulong? minimumWalPosition, Func<bool>? canRetry, CancellationToken ct)
    {
        var context = ResilienceContextPool.Shared.Get(ct);
        context.Properties.Set(CanRetry, canRetry);
        try
        {
            return await Retry.ExecuteAsync(static async (context, state) =>
            {
                var (replicas, use, minimumWalPosition) = state;
                context.Properties.Set(NodeFailed, false);
                var node = replicas.Pick(minimumWalPosition);
                try
                {
                    return node.IsPrimary
                        ? await AttemptAsync(replicas, node, use, context.CancellationToken)
                        : await WhileAnsweringAsync(replicas, node, () => AttemptAsync(replicas, node, use, context.CancellationToken), context.CancellationToken);
                }
                catch (Exception e) when (!context.CancellationToken.IsCancellationRequested && (e is SilentNodeException || IsNodeFailure(e)))
                {
                    context.Properties.Set(NodeFailed, true);
                    // A standby cancelling a query for a conflict with replay is still a good node.
                    if (e is not PostgresException { SqlState: "40001" }) node.MarkDown();
                    throw;
                }
            }, context, (replicas, use, minimumWalPosition));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private static async Task<T> AttemptAsync<T>(ReplicaSet replicas, DatabaseNode node, Func<DbConnection, CancellationToken, Task<T>> use,
        CancellationToken ct)
    {
        var connection = await OpenAsync(node, ct);
        node.Answered(replicas.Clock);
        node.CountRead();
        var result = await use(connection, ct);
        node.Answered(replicas.Clock);
        return result;
    }

    /// <summary>
    /// Runs attempt on a standby for as long as the node answers something: once it has been silent for
    /// <see cref="ReplicaSet.ReplicaTimeout"/> (neither this read nor any other, nor the monitor's probe, heard from it
    /// since the read started), the read is given up with <see cref="SilentNodeException"/>, to be run on another node.
    /// A slow statement on a node that answers its probes runs on. The attempt given up is not cancelled: Npgsql cancels
    /// by sending the server a cancel request on a new connection, which a stopped server accepts and never answers
    /// (that held reads for the 10-s command timeout, and would hold a thread each); it ends by the command timeout,
    /// disposing its connection, or delivers nothing if the server wakes up first (<see cref="ReadDelivery"/>).
    /// Issue 20: a stopped standby made reads wait 5-20 s for Npgsql's timeouts, then answer 503.
    /// </summary>
    private static async Task<T> WhileAnsweringAsync<T>(ReplicaSet replicas, DatabaseNode node, Func<Task<T>> attempt, CancellationToken ct)
    {
        var started = replicas.Clock.GetTimestamp();
        var running = attempt();
        while (!running.IsCompleted && !ct.IsCancellationRequested)
        {
            var quiet = replicas.Clock.GetElapsedTime(Math.Max(started, node.AnsweredAt));
            if (quiet >= replicas.ReplicaTimeout)
            {
                _ = running.ContinueWith(static async t =>
                {
                    // OpenForReadAsync's attempt returns its connection: nobody will use it now. A failure is observed here.
                    if (t.IsCompletedSuccessfully && t.Result is IAsyncDisposable late) await late.DisposeAsync();
                    else _ = t.Exception;
                }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                throw new SilentNodeException($"{node.Name} answered nothing for {replicas.ReplicaTimeout.TotalSeconds:0.0#} s (Database:ReplicaTimeoutSeconds).");
            }
            await ((Task)running).WaitAsync(replicas.ReplicaTimeout - quiet, replicas.Clock, ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        return await running;
    }

    /// <summary>
    /// A connection of the node's pool, given up when ct is cancelled even if Npgsql goes on with a server that accepted
    /// the connection and never answers the handshake: that connection is closed whenever its opening ends.
    /// </summary>
    internal static async Task<NpgsqlConnection> OpenAsync(DatabaseNode node, CancellationToken ct)
    {
        var opening = node.Source.OpenConnectionAsync(ct).AsTask();
        try
        {
            return await opening.WaitAsync(ct);
        }
        catch (OperationCanceledException) when (!opening.IsCompleted)
        {
            _ = opening.ContinueWith(static t =>
            {
                if (t.IsCompletedSuccessfully) t.Result.Dispose();
                return t.Exception;
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            throw;
        }
    }

    /// <summary>A standby answered nothing for the replica timeout: a node failure, answered 503 if the retry fails too.</summary>
    private sealed class SilentNodeException(string message) : TimeoutException(message);

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
