using System.ComponentModel.DataAnnotations;

namespace Contacts.Data.Replication;

/// <summary>
/// ConnectionStrings:ContactsReplicas (one connection string per streaming standby, as a list: ContactsReplicas:0,
/// ContactsReplicas:1, ...; for one standby, the plain value), Database:MaxReplicaLagSeconds and Database:ReplicaTimeoutSeconds
/// (DataServices.AddDatabaseOptions). Empty: every statement goes to ConnectionStrings:Contacts,
/// as without replication. See docs/scale-out.md.
/// </summary>
public sealed class ReplicaOptions
{
    public IReadOnlyList<string> ConnectionStrings { get; set; } = [];

    /// <summary>A standby further behind the primary than this stops receiving reads until it catches up (Database:MaxReplicaLagSeconds).</summary>
    [Range(0d, 86_400d, MinimumIsExclusive = true)]
    public double MaxReplicaLagSeconds { get; set; } = 10;

    /// <summary>
    /// How long a standby may stay silent under a read (Database:ReplicaTimeoutSeconds): a read whose standby has answered
    /// nothing at all (no probe, no connection, no statement) for this long is abandoned, the node marked down, and the
    /// read run once on another node (the primary in the end). A slow statement on a node that still answers its probes
    /// is not cut: it runs to Database:CommandTimeoutSeconds. 1.5 s: two probe periods, so a healthy idle standby always
    /// answers within it; a stopped standby costs a read at most this before the primary serves it. docs/scale-out.md.
    /// </summary>
    [Range(0.2d, 60d)]
    public double ReplicaTimeoutSeconds { get; set; } = 1.5;

    /// <summary>
    /// How often each node is probed: every second, or four times per lag bound when the bound is shorter, so that a
    /// standby that has just replayed recent writes is not taken for one a whole probe period behind; and at least twice
    /// per <see cref="ReplicaTimeoutSeconds"/>, so that a healthy standby is never taken for a silent one.
    /// </summary>
    public TimeSpan ProbePeriod => TimeSpan.FromSeconds(Math.Min(Math.Min(1, MaxReplicaLagSeconds / 4), ReplicaTimeoutSeconds / 2));

    public TimeSpan ReplicaTimeout => TimeSpan.FromSeconds(ReplicaTimeoutSeconds);
}
