using Npgsql;

namespace Contacts.Data.Replication;

/// <summary>The primary or one standby: its own pool, its last known status and how many reads it served.</summary>
public sealed class DatabaseNode
{
    private NodeStatus _status = NodeStatus.Initial;
    private long _reads;
    private long _answeredAt;

    internal DatabaseNode(string name, bool isPrimary, NpgsqlDataSource source)
    {
        Name = name;
        IsPrimary = isPrimary;
        Source = source;
    }

    /// <summary>"primary", "replica-1", ...: no host names, which the anonymous health endpoint would give away.</summary>
    public string Name { get; }
    public bool IsPrimary { get; }
    internal NpgsqlDataSource Source { get; }

    public NodeStatus Status
    {
        get => Volatile.Read(ref _status);
        internal set => Volatile.Write(ref _status, value);
    }

    /// <summary>Read requests this node served (connections handed out for reads).</summary>
    public long Reads => Interlocked.Read(ref _reads);

    internal void CountRead() => Interlocked.Increment(ref _reads);

    /// <summary>When the node last answered anything (a probe, a connection, a statement), as a <see cref="TimeProvider"/> timestamp.</summary>
    internal long AnsweredAt => Volatile.Read(ref _answeredAt);

    internal void Answered(TimeProvider clock) => Volatile.Write(ref _answeredAt, clock.GetTimestamp());

    /// <summary>A request found the node gone: no more reads until the monitor sees it answer, and no idle connection to it is reused.</summary>
    internal void MarkDown()
    {
        Status = Status with { State = NodeState.Down };
        Source.Clear();
    }

    /// <summary>For /health/ready: "up", "down", "lagging (12.3 s)".</summary>
    public string Describe()
    {
        var status = Status;
        var state = status.State switch
        {
            NodeState.NotStandby => "not-standby",
            var s => s.ToString().ToLowerInvariant(),
        };
        return status.LagSeconds is { } lag && status.State is NodeState.Up or NodeState.Lagging && !IsPrimary
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{state} (lag {lag:0.0} s)")
            : state;
    }
}
