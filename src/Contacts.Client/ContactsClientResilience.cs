using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Contacts.Client;

/// <summary>
/// The client's retry policy, built on Microsoft.Extensions.Http.Resilience (Polly): 429 and 503 are retried up to
/// <see cref="MaxRetryAttempts"/> times, waiting what the server's <c>Retry-After</c> says, or else an exponential
/// backoff with jitter from one second. Nothing else is retried: other errors would only repeat.
/// </summary>
public static class ContactsClientResilience
{
    /// <summary>How many times one request is retried before its last answer is reported.</summary>
    public const int MaxRetryAttempts = 3;

    /// <summary>The retry options, for adding to a pipeline of your own.</summary>
    /// <returns>Fresh options (a new instance on every call).</returns>
    public static HttpRetryStrategyOptions RetryOptions() => new()
    {
        MaxRetryAttempts = MaxRetryAttempts,
        BackoffType = DelayBackoffType.Exponential,
        UseJitter = true,
        Delay = TimeSpan.FromSeconds(1),
        ShouldRetryAfterHeader = true,
        ShouldHandle = args => ValueTask.FromResult(
            args.Outcome.Result?.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable),
    };

    /// <summary>The retry handler, for an <see cref="HttpClient"/> built by hand.</summary>
    /// <param name="innerHandler">The handler that sends the requests; when null, a <see cref="SocketsHttpHandler"/> that
    /// asks for Brotli or gzip and decompresses (<see cref="Decompression"/>).</param>
    /// <returns>A handler to pass to <c>new HttpClient(handler)</c>.</returns>
    public static DelegatingHandler CreateHandler(HttpMessageHandler? innerHandler = null)
    {
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>().AddRetry(RetryOptions()).Build();
        return new ResilienceHandler(pipeline)
        {
            // Pooled connections are renewed so that a DNS change (a moved server) is picked up.
            InnerHandler = innerHandler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AutomaticDecompression = Decompression },
        };
    }

    /// <summary>
    /// The encodings the client asks for and decodes: the server compresses its JSON with either (a 100-contact page
    /// about eightfold smaller).
    /// </summary>
    public const DecompressionMethods Decompression = DecompressionMethods.Brotli | DecompressionMethods.GZip;
}
