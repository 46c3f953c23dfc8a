using Contacts.Data;

namespace Contacts;

public static class DataServices
{
    public static IServiceCollection AddContactsData(this IServiceCollection services, IConfiguration configuration)
    {
        // Read (and checked) now: a mistyped setting stops start-up naming it, before anything listens or migrates.
        var options = DatabaseOptions.FromConfiguration(configuration);
        services.AddSingleton(options);
        services.AddSingleton(_ => new ContactsDatabase(options));
        services.AddHostedService<DatabaseStartup>();
        return services;
    }
}

/// <summary>Runs before Kestrel listens: checks the SQLite folder, applies migrations unless Database:MigrateOnStart is false.</summary>
internal sealed class DatabaseStartup(ContactsDatabase db, ILogger<DatabaseStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        StartupChecks.EnsureSqliteFolderUsable(db);
        if (!db.Options.MigrateOnStart) return;
        var applied = await Migrator.MigrateAsync(db, cancellationToken);
        foreach (var migration in applied) logger.LogInformation("Applied migration {Migration}", migration.Name);
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
