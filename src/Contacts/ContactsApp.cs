using Contacts.Api;
using Contacts.Auth;
using Contacts.Fairness;
using Contacts.Operations;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

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

        builder.Services.TryAddSingleton(TimeProvider.System); // tests put a fake clock here first
        builder.Services.AddContactsData();
        builder.Services.AddContactsProblemDetails();
        builder.Services.AddContactsCompression();
        builder.Services.AddCors();
        builder.Services.AddApiKeyAuthentication();
        builder.Services.AddContactsOpenApi();
        builder.Services.AddContactsRateLimits();
        builder.Services.AddDatabaseShare();
        builder.Services.AddSettings<ApiOptions, ApiOptionsValidation>("Api");
        builder.Services.AddSettings<DocsOptions>("Docs");
        builder.Services.AddChangeFeed();
        builder.Services.AddContactsHealthChecks();
        builder.Services.AddContactsTelemetry(builder.Configuration);

        var app = builder.Build();
        // Every option is checked here, before anything starts: a bad value stops `serve` with the setting's name and rule.
        app.Services.GetRequiredService<IStartupValidator>().Validate();
        app.UseRequestId();
        app.UseRequestLogging();
        app.UseContactsCompression();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseResponseHeaders();
        app.UseContactsCors();
        app.UseEndpointAccess();
        app.UseAuthentication();
        app.UseContactsRateLimits();
        app.UseAuthorization();
        app.MapContacts();
        app.MapGroup("").WithMetadata(EndpointAccessPolicy.For(app.Services.GetRequiredService<IOptions<DocsOptions>>().Value))
            .MapContactsDocs();
        app.MapContactsHealthChecks();
        app.MapContactsMetrics();
        return app;
    }
}
