using Contacts.Data;

#pragma warning disable CA1848, CA1873 // start-up messages, written once per process

namespace Contacts;

public static class DataServices
{
    public static IServiceCollection AddContactsData(this IServiceCollection services, IConfiguration configuration)
    {
        // Read (and checked) now: a mistyped setting stops start-up naming it, before anything listens or migrates.
        var options = DatabaseOptions.FromConfiguration(configuration);
        services.AddSingleton(options);
        services.AddSingleton(sp => new ContactsDatabase(options, sp.GetService<TimeProvider>()));
        services.AddHostedService<DatabaseStartup>();
        return services;
    }
}

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

public static class StartupChecks
{
    /// <summary>A clear message instead of SQLite's "unable to open database file".</summary>
    public static void EnsureSqliteFolderUsable(ContactsDatabase db)
    {
        if (db.SqliteFile is not { } file) return;
        var folder = Path.GetDirectoryName(file)!;
        if (!Directory.Exists(folder))
            throw new InvalidOperationException($"The SQLite data folder '{folder}' does not exist. Create it or set ConnectionStrings:Contacts.");
        var probe = Path.Combine(folder, $".contacts-write-test-{Environment.ProcessId}");
        try
        {
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new InvalidOperationException($"The SQLite data folder '{folder}' is not writable ({e.Message}).", e);
        }
    }
}
