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
