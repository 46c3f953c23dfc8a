using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;

namespace Contacts.Data.Replication;

/// <summary>
/// ConnectionStrings:ContactsReplicas (one connection string per streaming standby, as a list: ContactsReplicas:0,
/// ContactsReplicas:1, ...) and Database:MaxReplicaLagSeconds. Empty: every statement goes to ConnectionStrings:Contacts,
/// as without replication. See docs/scale-out.md.
/// </summary>
public sealed class ReplicaOptions
{
    public IReadOnlyList<string> ConnectionStrings { get; set; } = [];

    /// <summary>A standby further behind the primary than this stops receiving reads until it catches up (Database:MaxReplicaLagSeconds).</summary>
    [Range(0d, 86_400d, MinimumIsExclusive = true)]
    public double MaxReplicaLagSeconds { get; set; } = 10;

    /// <summary>
    /// How often each node is probed: every second, or four times per lag bound when the bound is shorter, so that a
    /// standby that has just replayed recent writes is not taken for one a whole probe period behind.
    /// </summary>
    public TimeSpan ProbePeriod => TimeSpan.FromSeconds(Math.Min(1, MaxReplicaLagSeconds / 4));

    internal static ReplicaOptions FromConfiguration(IConfiguration configuration, DatabaseProvider provider)
    {
        // Database:MaxReplicaLagSeconds is read with the rest of the Database section's rules.
        var options = Settings.Read<ReplicaOptions>(configuration, "Database");
        var section = configuration.GetSection("ConnectionStrings:ContactsReplicas");
        // A list (ContactsReplicas:0, :1, ...) or, for one standby, the plain value.
        options.ConnectionStrings = section.GetChildren().Select(c => c.Value).Append(section.Value)
            .Where(s => !string.IsNullOrWhiteSpace(s)).Select(s => s!).ToList();
        if (options.ConnectionStrings.Count > 0 && provider != DatabaseProvider.Postgres)
            throw new SettingsException("ConnectionStrings:ContactsReplicas is set, but standbys need Database:Provider 'postgres'.");
        return options;
    }
}
