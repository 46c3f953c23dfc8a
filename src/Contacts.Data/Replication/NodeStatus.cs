using NpgsqlTypes;

namespace Contacts.Data.Replication;

/// <summary>What the monitor last saw of a node. ReplayLsn: on a standby, the WAL position replayed; on the primary, the position written.</summary>
public sealed record NodeStatus(NodeState State, double? LagSeconds, NpgsqlLogSequenceNumber? ReplayLsn, DateTimeOffset? ProbedAt)
{
    public static readonly NodeStatus Initial = new(NodeState.Unknown, null, null, null);
}
