using Contacts.Data;
using Contacts.Data.Replication;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Contacts.Operations;

/// <summary>The shared readiness check's answer, with each node's state when there are standbys.</summary>
internal sealed class DatabaseHealthCheck(ContactsDatabase db, ReadinessProbe probe) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (await probe.CheckAsync().WaitAsync(cancellationToken) is { } failure)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"{db.Provider} does not answer", failure,
                db.Replicas is { } nodes ? Nodes(nodes) : null);
        }
        if (db.Replicas is not { } replicas) return HealthCheckResult.Healthy($"{db.Provider} answers");
        // Reads are served; a node that is not is worth an operator's look (Degraded still answers 200).
        var allUp = replicas.Nodes.All(n => n.Status.State == NodeState.Up);
        return new HealthCheckResult(allUp ? HealthStatus.Healthy : HealthStatus.Degraded, $"{db.Provider} answers reads", data: Nodes(replicas));
    }

    // With standbys, ready while any node serves reads (a down primary or standby is skipped).
    private static Dictionary<string, object> Nodes(ReplicaSet replicas) =>
        replicas.Nodes.ToDictionary(n => n.Name, object (n) => n.Describe());
}
