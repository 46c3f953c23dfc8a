using System.Collections.Concurrent;
using Contacts.Data;
using Contacts.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Contacts.Tests.Auth;

/// <summary>Keys, their hashes and Authorization headers never reach the logs, even at Trace level.</summary>
public sealed class KeyLoggingTests : IAsyncLifetime
{
    private readonly ConcurrentQueue<string> _lines = new();
    private TestDatabase _database = null!;
    private TestApp _app = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.SqliteAsync();
        _app = await TestApp.StartAsync(_database, builder =>
        {
            builder.Logging.ClearProviders();
            builder.Logging.SetMinimumLevel(LogLevel.Trace);
            builder.Logging.AddProvider(new CapturingProvider(_lines));
        }, "--Logging:LogLevel:Default=Trace", "--Auth:LastUsedFlushSeconds=1");
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task NeitherValidNorInvalidKeysNorTheirHashesAppearInLogs()
    {
        var company = await new TestData(_database).CompanyAsync();
        var (_, unknownKey) = ApiKeys.Generate();
        using (var valid = _app.ClientWithKey(company.Key))
        {
            Assert.True((await valid.GetAsync("/api/v1/contacts?search=x")).IsSuccessStatusCode);
            Assert.True((await valid.GetAsync("/api/v1/contacts/tags")).IsSuccessStatusCode);
        }
        using (var invalid = _app.ClientWithKey(unknownKey))
        {
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await invalid.GetAsync("/api/v1/contacts")).StatusCode);
        }
        await _app.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>()
            .OfType<Contacts.Auth.KeyUsage>().Single().FlushAsync(CancellationToken.None);

        Assert.NotEmpty(_lines);
        string[] secrets =
        [
            company.Key, company.Key[16..], unknownKey, unknownKey[16..],
            Convert.ToHexString(ApiKeys.Hash(company.Key)), Convert.ToHexStringLower(ApiKeys.Hash(company.Key)),
            Convert.ToBase64String(ApiKeys.Hash(company.Key)),
        ];
        foreach (var line in _lines)
        {
            foreach (var secret in secrets) Assert.DoesNotContain(secret, line, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("Bearer ck_", line, StringComparison.OrdinalIgnoreCase);
        }
    }

    private sealed class CapturingProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, lines);

        public void Dispose()
        {
        }
    }

    private sealed class CapturingLogger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull
        {
            lines.Enqueue($"{category} scope: {state}");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{category} {logLevel}: {formatter(state, exception)} {exception}");
    }
}
