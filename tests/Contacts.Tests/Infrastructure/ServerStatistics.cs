using System.Globalization;
using Npgsql;

namespace Contacts.Tests.Infrastructure;

/// <summary>
/// PostgreSQL's own counters (pg_stat_*), read the way they can be trusted: each query in a session of its own
/// (statistics read inside one transaction are a snapshot), and only once the sessions whose work is counted have ended
/// (a server process hands its statistics over when it exits).
/// </summary>
public static class ServerStatistics
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    public static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    /// <summary>Waits (bounded) until no session with this application name is left on the server.</summary>
    public static async Task WaitForSessionsToEndAsync(string connectionString, string applicationName)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (await ScalarAsync(connectionString, $"SELECT count(*) FROM pg_stat_activity WHERE application_name = '{applicationName}'") > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the sessions of '{applicationName}' did not end within {Bound.TotalSeconds} s");
            await Task.Delay(50);
        }
    }
}
