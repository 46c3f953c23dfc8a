using Microsoft.Extensions.Logging;

namespace Contacts.Tests.Infrastructure;

/// <summary>One entry a <see cref="LogCapture"/> kept: a scope comes with level None and "scope: ..." as its message.</summary>
internal sealed record LogEntry(string Category, LogLevel Level, string Message, IReadOnlyList<KeyValuePair<string, object?>> State)
{
    public object? Field(string name) => State.FirstOrDefault(p => p.Key == name).Value;

    /// <summary>Everything the entry holds as text (message, exception, every field): what must never contain a secret.</summary>
    public string Text => $"{Category} {Level} {Message} {string.Join(' ', State.Select(p => $"{p.Key}={p.Value}"))}";
}
