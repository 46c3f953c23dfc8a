using Contacts.Data;
using Contacts.Data.Replication;
using Contacts.Operations;
using Microsoft.Extensions.Options;

#pragma warning disable CA1848, CA1873 // start-up messages, written once per process

namespace Contacts;

public static class DataServices
{
    public static IServiceCollection AddContactsData(this IServiceCollection services)
    {
        services.AddDatabaseOptions();
        services.AddSingleton(sp => new ContactsDatabase(sp.GetRequiredService<IOptions<DatabaseOptions>>().Value, sp.GetService<TimeProvider>()));
        services.AddHostedService<DatabaseStartup>();
        return services;
    }

    /// <summary>The "Database" section and the connection strings (ConnectionStrings:Contacts, ContactsMigrations, ContactsReplicas).</summary>
    public static IServiceCollection AddDatabaseOptions(this IServiceCollection services)
    {
        // Database:MaxReplicaLagSeconds and Database:ReplicaTimeoutSeconds sit in the Database section beside the rest.
        services.AddSettings<ReplicaOptions>("Database").Configure<IConfiguration>((options, configuration) =>
        {
            // A list (ContactsReplicas:0, :1, ...) or, for one standby, the plain value.
            var section = configuration.GetSection("ConnectionStrings:ContactsReplicas");
            options.ConnectionStrings = section.GetChildren().Select(c => c.Value).Append(section.Value)
                .Where(s => !string.IsNullOrWhiteSpace(s)).Select(s => s!).ToList();
        });
        services.AddSettings<DatabaseOptions, DatabaseOptionsValidation>("Database")
            .Configure<IConfiguration, IOptions<ReplicaOptions>>((options, configuration, replicas) =>
            {
                options.ConnectionString = configuration.GetConnectionString("Contacts");
                var migrations = configuration.GetConnectionString("ContactsMigrations");
                options.MigrationsConnectionString = string.IsNullOrWhiteSpace(migrations) ? null : migrations;
                options.Replicas = replicas.Value;
            });
        return services;
    }

    /// <summary>The database settings as the web host reads and checks them, for the admin commands, which run no host.</summary>
    public static DatabaseOptions ReadDatabaseOptions(IConfiguration configuration)
    {
        using var services = new ServiceCollection().AddSingleton(configuration).AddDatabaseOptions().BuildServiceProvider();
        return services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
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
