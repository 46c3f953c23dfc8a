using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Contacts.Tests.Infrastructure;

/// <summary>
/// The service on a database of its own, its usual log providers replaced by one that keeps every entry and scope of
/// every category with its fields; which levels reach it is up to the settings (--Logging:LogLevel:Default=Trace).
/// </summary>
internal sealed class LoggedApp(TestDatabase database, TestApp app, ConcurrentQueue<LogEntry> entries) : IAsyncDisposable
{
    public TestDatabase Database { get; } = database;
    public TestApp App { get; } = app;
    public ConcurrentQueue<LogEntry> Entries { get; } = entries;

    public static async Task<LoggedApp> StartAsync(params string[] settings)
    {
        var entries = new ConcurrentQueue<LogEntry>();
        var database = await TestDatabase.SqliteAsync();
        var app = await TestApp.StartAsync(database, builder =>
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddProvider(new Capture(entries));
        }, settings);
        return new LoggedApp(database, app, entries);
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Database.DisposeAsync();
    }

    private sealed class Capture(ConcurrentQueue<LogEntry> entries) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, entries);

        public void Dispose()
        {
        }
    }

    private sealed class Logger(string category, ConcurrentQueue<LogEntry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull
        {
            entries.Enqueue(new LogEntry(category, LogLevel.None, $"scope: {state}", []));
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            entries.Enqueue(new LogEntry(category, logLevel, $"{formatter(state, exception)} {exception}",
                state as IReadOnlyList<KeyValuePair<string, object?>> ?? []));
    }
}
