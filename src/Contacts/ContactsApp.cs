using Contacts.Api;
using Contacts.Auth;
using Contacts.Data;
using Contacts.Operations;

namespace Contacts;

/// <summary>The web host: a table of contents of its parts. `serve` and `demo` run it; tests start it on a loopback port.</summary>
public static class ContactsApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // appsettings.json ships beside the executable; relative paths (the SQLite file) resolve against the working directory.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        configure?.Invoke(builder);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 1024; // GET only: a body is never read
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
        });

        builder.Services.AddContactsData(builder.Configuration);
        builder.Services.AddContactsProblemDetails();
        builder.Services.AddApiKeyAuthentication(builder.Configuration);
        builder.Services.AddContactsOpenApi(builder.Configuration);
        builder.Services.AddContactsRateLimits(builder.Configuration);
        builder.Services.AddOptions<ApiOptions>().Bind(builder.Configuration.GetSection("Api")).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddChangeFeed(builder.Configuration);
        builder.Services.AddContactsHealthChecks(builder.Configuration);
        builder.Services.AddContactsTelemetry(builder.Configuration);

        var app = builder.Build();
        app.UseRequestLogging();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseResponseHeaders();
        app.UseAuthentication();
        app.UseContactsRateLimits();
        app.UseAuthorization();
        app.MapContacts();
        app.MapContactsDocs();
        app.MapContactsHealthChecks();
        app.MapContactsMetrics();
        return app;
    }
}
