using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace LiveHelp.Redis.Tests.Backplane.Support;

/// <summary>Keeps the event names of everything logged, to check that an outage is reported.</summary>
public sealed class RecordingLogger<T> : ILogger<T>
{
    private readonly ConcurrentQueue<(LogLevel Level, string Event, string Message)> _entries = new();

    public IReadOnlyList<(LogLevel Level, string Event, string Message)> Entries => [.. _entries];

    public bool Logged(string eventName) => _entries.Any(e => e.Event == eventName);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _entries.Enqueue((logLevel, eventId.Name ?? eventId.Id.ToString(), formatter(state, exception)));
}
