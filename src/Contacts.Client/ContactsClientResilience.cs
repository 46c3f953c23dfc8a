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
    /// <param name="innerHandler">The handler that sends the requests; a <see cref="SocketsHttpHandler"/> when null.</param>
    /// <returns>A handler to pass to <c>new HttpClient(handler)</c>.</returns>
    public static DelegatingHandler CreateHandler(HttpMessageHandler? innerHandler = null)
    {
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>().AddRetry(RetryOptions()).Build();
        return new ResilienceHandler(pipeline)
        {
            // Pooled connections are renewed so that a DNS change (a moved server) is picked up.
            InnerHandler = innerHandler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) },
        };
    }
}
