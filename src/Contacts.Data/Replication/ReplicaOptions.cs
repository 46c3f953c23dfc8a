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

    /// <summary>A standby further behind the primary than this stops receiving reads until it catches up.</summary>
    public double MaxReplicaLagSeconds { get; set; } = 10;

    /// <summary>
    /// How often each node is probed: every second, or four times per lag bound when the bound is shorter, so that a
    /// standby that has just replayed recent writes is not taken for one a whole probe period behind.
    /// </summary>
    public TimeSpan ProbePeriod => TimeSpan.FromSeconds(Math.Min(1, MaxReplicaLagSeconds / 4));

    internal static ReplicaOptions FromConfiguration(IConfiguration configuration, DatabaseProvider provider)
    {
        var section = configuration.GetSection("ConnectionStrings:ContactsReplicas");
        // A list (ContactsReplicas:0, :1, ...) or, for one standby, the plain value.
        var strings = section.GetChildren().Select(c => c.Value).Append(section.Value)
            .Where(s => !string.IsNullOrWhiteSpace(s)).Select(s => s!).ToList();
        var options = new ReplicaOptions { ConnectionStrings = strings };
        var lag = configuration["Database:MaxReplicaLagSeconds"];
        if (!string.IsNullOrWhiteSpace(lag))
        {
            if (!double.TryParse(lag, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds) || seconds <= 0)
                throw new InvalidOperationException($"Database:MaxReplicaLagSeconds must be a positive number of seconds, not '{lag}'.");
            options.MaxReplicaLagSeconds = seconds;
        }
        if (strings.Count > 0 && provider != DatabaseProvider.Postgres)
            throw new InvalidOperationException("ConnectionStrings:ContactsReplicas is set, but standbys need Database:Provider 'postgres'.");
        return options;
    }
}
