using Contacts.Operations;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection.Extensions;

#pragma warning disable CA1848, CA1873 // a background job logging once an hour: LoggerMessage would buy nothing here

namespace Contacts.Api;

public static class ChangeFeedServices
{
    public static IServiceCollection AddChangeFeed(this IServiceCollection services)
    {
        services.AddSettings<SyncOptions>("Sync");
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ChangeFeedPurge>();
        services.AddHostedService(provider => provider.GetRequiredService<ChangeFeedPurge>());
        services.Configure<OpenApiOptions>("v1", options => options
            .AddSchemaTransformer(ChangesApi.DescribeChangeSchemas)
            .AddDocumentTransformer(ChangesApi.DescribeChangeShapes));
        return services;
    }
}
