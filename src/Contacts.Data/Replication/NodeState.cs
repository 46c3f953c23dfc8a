namespace Contacts.Data.Replication;

public enum NodeState
{
    /// <summary>Not probed yet: receives no reads until the first probe says how far behind it is.</summary>
    Unknown,
    Up,
    /// <summary>A standby further behind than Database:MaxReplicaLagSeconds.</summary>
    Lagging,
    Down,
    /// <summary>Configured as a standby but not in recovery (promoted, or a mistake): its data may have diverged.</summary>
    NotStandby,
}
