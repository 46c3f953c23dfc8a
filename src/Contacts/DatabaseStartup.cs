using Contacts.Data;

#pragma warning disable CA1848, CA1873 // start-up messages, written once per process

namespace Contacts;

/// <summary>Runs before Kestrel listens: checks the SQLite folder, applies migrations unless Database:MigrateOnStart is false.</summary>
internal sealed class DatabaseStartup(ContactsDatabase db, IHostApplicationLifetime lifetime, ILogger<DatabaseStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        StartupChecks.EnsureSqliteFolderUsable(db);
        if (db.Options.MigrateOnStart)
        {
            var applied = await Migrator.MigrateAsync(db, cancellationToken);
            foreach (var migration in applied) logger.LogInformation("Applied migration {Migration}", migration.Name);
        }
        try
        {
            logger.LogInformation("Database: {RowLevelSecurity}", await db.Dialect.EnsureRowLevelSecurityAsync(cancellationToken));
        }
        catch (Exception e) when (ContactsDatabase.IsUnavailable(e))
        {
            // Serving without a database (readiness says 503) is allowed; company commands fail closed until it answers.
            logger.LogWarning("Database unavailable at start; row-level security will be checked when it answers ({Error})", e.Message);
            _ = Task.Run(() => CheckWhenAvailableAsync(lifetime.ApplicationStopping), CancellationToken.None);
        }
    }

    private async Task CheckWhenAvailableAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(2), ct);
                logger.LogInformation("Database: {RowLevelSecurity}", await db.Dialect.EnsureRowLevelSecurityAsync(ct));
                return;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e) when (ContactsDatabase.IsUnavailable(e))
            {
            }
            catch (Exception e)
            {
                logger.LogCritical(e, "Row-level security cannot be arranged; company requests will fail");
                return;
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
