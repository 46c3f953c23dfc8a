using Microsoft.Extensions.DependencyInjection;
using Polly;

namespace Contacts.Client;

/// <summary>Dependency-injection registration of <see cref="ContactsClient"/>.</summary>
public static class ContactsClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ContactsClient"/> as a typed HttpClient (IHttpClientFactory) with the base address, the API key,
    /// the retry handler of <see cref="ContactsClientResilience"/>, and Brotli/gzip decompression on the primary handler.
    /// Inject <see cref="ContactsClient"/> where needed.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="baseAddress">The server's root, e.g. <c>https://contacts.example.com/</c>.</param>
    /// <param name="apiKey">The company's API key (<c>ck_…</c>).</param>
    /// <returns>The HttpClient builder, to add handlers or configuration of your own.</returns>
    public static IHttpClientBuilder AddContactsClient(this IServiceCollection services, Uri baseAddress, string apiKey)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        ArgumentException.ThrowIfNullOrWhiteSpace(apiKey);
        var builder = services.AddHttpClient<ContactsClient>(http => ContactsClient.Configure(http, baseAddress, apiKey));
        builder.ConfigurePrimaryHttpMessageHandler((handler, _) =>
        {
            if (handler is SocketsHttpHandler sockets) sockets.AutomaticDecompression = ContactsClientResilience.Decompression;
            else if (handler is HttpClientHandler client) client.AutomaticDecompression = ContactsClientResilience.Decompression;
        });
        builder.AddResilienceHandler("contacts-retry", pipeline => pipeline.AddRetry(ContactsClientResilience.RetryOptions()));
        return builder;
    }
}
