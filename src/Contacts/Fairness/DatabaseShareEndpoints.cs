using Contacts.Api;
using Contacts.Auth;
using Contacts.Operations;
using Microsoft.Extensions.Diagnostics.Metrics;
using Microsoft.Extensions.Options;

namespace Contacts.Fairness;

/// <summary>The <see cref="DatabaseShare"/> as a policy of the endpoints that read the database: <c>group.RequireDatabaseShare()</c>.</summary>
public static class DatabaseShareEndpoints
{
    public static IServiceCollection AddDatabaseShare(this IServiceCollection services)
    {
        services.AddSettings<DatabaseShareOptions>("DatabaseShare");
        services.AddSingleton<DatabaseShare>();
        services.AddMetrics(builder => builder.EnableMetrics(DatabaseShare.MeterName));
        return services;
    }

    /// <summary>
    /// Each request of these endpoints waits for its company's turn before its handler runs, and gives the turn back when
    /// the handler has its result: the rows are read by then, so writing the response to a slow client holds no turn.
    /// Endpoint filters run after authorization, so every request here has a company.
    /// </summary>
    public static TBuilder RequireDatabaseShare<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilterFactory((context, next) =>
        {
            if (!context.ApplicationServices.GetRequiredService<IOptions<DatabaseShareOptions>>().Value.Enabled) return next;
            var share = context.ApplicationServices.GetRequiredService<DatabaseShare>();
            return async invocation =>
            {
                var http = invocation.HttpContext;
                var entry = await share.EnterAsync(http.User.CompanyId(), http.RequestAborted);
                if (entry.Slot is not { } slot) return Problems.DatabaseBusy(http, entry.Outcome, share.MaxWait);
                using (slot) return await next(invocation);
            };
        });
}
