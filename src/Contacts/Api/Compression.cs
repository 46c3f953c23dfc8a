using System.IO.Compression;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.Extensions.Options;

namespace Contacts.Api;

/// <summary>
/// Brotli or gzip for JSON answers, as the request's Accept-Encoding asks (Brotli when both are equally welcome), over
/// HTTPS too: no answer puts a secret beside text the requester chose (docs/decisions.md, BREACH). Problem bodies are a
/// few hundred bytes and stay as they are. Api:ResponseCompression=false turns it off (a proxy in front compresses).
/// </summary>
public static class Compression
{
    public static IServiceCollection AddContactsCompression(this IServiceCollection services)
    {
        services.AddResponseCompression(options =>
        {
            options.EnableForHttps = true;
            options.Providers.Add<BrotliProvider>();
            options.Providers.Add<GzipCompressionProvider>();
            options.MimeTypes = ["application/json"];
        });
        // gzip for clients without Brotli: level 1 shrinks a 100-contact page 3.4x for about 60 µs of CPU; Optimal gets
        // 5.1x for about 200 µs, on a server that shares its cores with the database (docs/decisions.md).
        services.Configure<GzipCompressionProviderOptions>(options => options.Level = CompressionLevel.Fastest);
        return services;
    }

    /// <summary>Before everything that writes a body, so that every JSON answer passes through it.</summary>
    public static IApplicationBuilder UseContactsCompression(this IApplicationBuilder app) =>
        app.ApplicationServices.GetRequiredService<IOptions<ApiOptions>>().Value.ResponseCompression ? app.UseResponseCompression() : app;
}
