using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Npgsql;
using NpgsqlTypes;

namespace Contacts.Data.Replication;

/// <summary>
/// The primary and its streaming standbys (ConnectionStrings:ContactsReplicas): one pool per node, a monitor that probes
/// every node each <see cref="ReplicaOptions.ProbePeriod"/>, and the choice of the node for each read. Writes never
/// come here: they take the primary's connection (<see cref="ContactsDatabase.OpenAsync"/>). docs/scale-out.md.
/// </summary>
public sealed class ReplicaSet : IAsyncDisposable
{
    private readonly ReplicaOptions _options;
    private readonly TimeProvider _clock;
    private readonly LagTracker _lag;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _monitor;
    private int _next;

    internal ReplicaSet(NpgsqlDataSource primary, IReadOnlyList<NpgsqlDataSource> standbys, ReplicaOptions options, TimeProvider clock)
    {
        _options = options;
        _clock = clock;
        _lag = new LagTracker(TimeSpan.FromSeconds(2 * options.MaxReplicaLagSeconds + 2));
        Primary = new DatabaseNode("primary", isPrimary: true, primary);
        Standbys = standbys.Select((s, i) => new DatabaseNode($"replica-{i + 1}", isPrimary: false, s)).ToList();
        Live.TryAdd(this, 0);
        _monitor = Task.Run(() => MonitorAsync(_stop.Token));
    }

    public DatabaseNode Primary { get; }
    public IReadOnlyList<DatabaseNode> Standbys { get; }
    public IEnumerable<DatabaseNode> Nodes => Standbys.Prepend(Primary);
    public double MaxLagSeconds => _options.MaxReplicaLagSeconds;

    /// <summary>How long a standby may stay silent under a read or a probe (<see cref="ReplicaOptions.ReplicaTimeoutSeconds"/>).</summary>
    internal TimeSpan ReplicaTimeout => _options.ReplicaTimeout;
    internal TimeProvider Clock => _clock;

    /// <summary>
    /// A standby that is up, within the lag bound and (when given) has replayed <paramref name="minimumWalPosition"/>, in
    /// turn; the primary when none is.
    /// </summary>
    internal DatabaseNode Pick(ulong? minimumWalPosition)
    {
        var start = Interlocked.Increment(ref _next);
        for (var i = 0; i < Standbys.Count; i++)
        {
            var node = Standbys[(int)((uint)(start + i) % (uint)Standbys.Count)];
            var status = node.Status;
            if (status.State != NodeState.Up) continue;
            if (minimumWalPosition is { } needed && (status.ReplayLsn is not { } replayed || (ulong)replayed < needed)) continue;
            return node;
        }
        return Primary;
    }

    /// <summary>One probe of every node; the monitor calls it each period, tests may call it to not wait for the next.</summary>
    public async Task ProbeAsync(CancellationToken ct)
    {
        var primaryUp = await ProbePrimaryAsync(ct);
        await Task.WhenAll(Standbys.Select(node => ProbeStandbyAsync(node, primaryUp, ct)));
    }

    private async Task MonitorAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(_options.ProbePeriod, _clock);
        try
        {
            do
            {
                await ProbeAsync(ct);
            } while (await timer.WaitForNextTickAsync(ct));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private async Task<bool> ProbePrimaryAsync(CancellationToken ct)
    {
        try
        {
            await using var connection = await Primary.Source.OpenConnectionAsync(ct);
            await using var command = new NpgsqlCommand("SELECT pg_current_wal_lsn()", connection);
            var lsn = (NpgsqlLogSequenceNumber)(await command.ExecuteScalarAsync(ct))!;
            var now = _clock.GetUtcNow();
            _lag.RecordPrimary(now, (ulong)lsn);
            Primary.Status = new NodeStatus(NodeState.Up, null, lsn, now);
            return true;
        }
        catch (Exception e) when (!ct.IsCancellationRequested && e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            if (Primary.Status.State != NodeState.Down) Primary.MarkDown();
            Primary.Status = Primary.Status with { ProbedAt = _clock.GetUtcNow() };
            return false;
        }
    }

    /// <summary>Bounded by the replica timeout: a standby that accepts connections and never answers is down, not pending.</summary>
    private async Task ProbeStandbyAsync(DatabaseNode node, bool primaryUp, CancellationToken stopping)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        bound.CancelAfter(ReplicaTimeout);
        var ct = bound.Token;
        try
        {
            await using var connection = await ReadRouting.OpenAsync(node, ct);
            await using var command = new NpgsqlCommand(
                "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn(), pg_last_wal_receive_lsn()", connection);
            await using var reader = await command.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            node.Answered(_clock);
            var now = _clock.GetUtcNow();
            if (!reader.GetBoolean(0))
            {
                node.Status = new NodeStatus(NodeState.NotStandby, null, null, now);
                return;
            }
            NpgsqlLogSequenceNumber? replayed = reader.IsDBNull(1) ? null : reader.GetFieldValue<NpgsqlLogSequenceNumber>(1);
            NpgsqlLogSequenceNumber? received = reader.IsDBNull(2) ? null : reader.GetFieldValue<NpgsqlLogSequenceNumber>(2);
            var lag = Lag(now, replayed, received, primaryUp);
            var state = lag is { } behind && behind.TotalSeconds <= _options.MaxReplicaLagSeconds ? NodeState.Up : NodeState.Lagging;
            node.Status = new NodeStatus(state, lag?.TotalSeconds, replayed, now);
        }
        catch (Exception e) when (!stopping.IsCancellationRequested && e is NpgsqlException or TimeoutException or InvalidOperationException or OperationCanceledException)
        {
            if (node.Status.State != NodeState.Down) node.MarkDown();
            node.Status = node.Status with { ProbedAt = _clock.GetUtcNow() };
        }
    }

    /// <summary>
    /// Against the primary's sampled positions while it answers. Without it nothing new is written anywhere: a standby
    /// that has replayed all it received is as fresh as any node can be, and serves reads (the primary's outage must not
    /// stop them); one with WAL still to replay is as far behind as its replay was when the primary was last seen.
    /// </summary>
    private TimeSpan? Lag(DateTimeOffset now, NpgsqlLogSequenceNumber? replayed, NpgsqlLogSequenceNumber? received, bool primaryUp)
    {
        if (replayed is not { } position) return null;
        if (!primaryUp && (received is not { } got || position >= got)) return TimeSpan.Zero;
        return _lag.Lag(now, (ulong)position);
    }

    public async ValueTask DisposeAsync()
    {
        Live.TryRemove(this, out _);
        await _stop.CancelAsync();
        try
        {
            await _monitor;
        }
        catch (OperationCanceledException)
        {
        }
        foreach (var node in Standbys) await node.Source.DisposeAsync();
        _stop.Dispose();
    }

    // One set of instruments for the process; each reports the nodes of every live set (one per ContactsDatabase).
    private static readonly ConcurrentDictionary<ReplicaSet, byte> Live = new();

    private static IEnumerable<DatabaseNode> LiveNodes => Live.Keys.SelectMany(s => s.Nodes);

    internal static readonly ObservableGauge<double> LagGauge = ContactsDatabase.Meter.CreateObservableGauge("contacts.db.replica.lag",
        () => LiveNodes.Where(n => !n.IsPrimary && n.Status.LagSeconds is not null)
            .Select(n => new Measurement<double>(n.Status.LagSeconds!.Value, new KeyValuePair<string, object?>("node", n.Name))),
        unit: "s", description: "How far each standby's replay is behind the primary, as last probed.");

    internal static readonly ObservableGauge<int> UpGauge = ContactsDatabase.Meter.CreateObservableGauge("contacts.db.node.up",
        () => LiveNodes.Select(n => new Measurement<int>(n.Status.State == NodeState.Up ? 1 : 0,
            new KeyValuePair<string, object?>("node", n.Name), new KeyValuePair<string, object?>("state", n.Status.State.ToString().ToLowerInvariant()))),
        description: "1 while a node serves (the primary: answers; a standby: answers within the lag bound), with its state.");

    internal static readonly ObservableCounter<long> ReadsCounter = ContactsDatabase.Meter.CreateObservableCounter("contacts.db.node.reads",
        () => LiveNodes.Select(n => new Measurement<long>(n.Reads, new KeyValuePair<string, object?>("node", n.Name))),
        description: "Reads each node served.");
}
