using System.Text.Json;

namespace LiveHelp.Client.Internal;

/// <summary>Handlers for server-to-client invocations, by event name (case-insensitive, as SignalR clients do).</summary>
internal sealed class HandlerRegistry
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Func<JsonElement, Task>[]> _handlers = new(StringComparer.OrdinalIgnoreCase);

    public IDisposable Add(string eventName, Func<JsonElement, Task> handler)
    {
        lock (_gate)
        {
            _handlers[eventName] = _handlers.TryGetValue(eventName, out var existing) ? [.. existing, handler] : [handler];
        }
        return new Registration(this, eventName, handler);
    }

    public Func<JsonElement, Task>[] Get(string eventName)
    {
        lock (_gate)
        {
            return _handlers.TryGetValue(eventName, out var handlers) ? handlers : [];
        }
    }

    private void Remove(string eventName, Func<JsonElement, Task> handler)
    {
        lock (_gate)
        {
            if (!_handlers.TryGetValue(eventName, out var existing))
            {
                return;
            }
            var remaining = existing.Where(h => !ReferenceEquals(h, handler)).ToArray();
            if (remaining.Length == 0)
            {
                _handlers.Remove(eventName);
            }
            else
            {
                _handlers[eventName] = remaining;
            }
        }
    }

    private sealed class Registration(HandlerRegistry registry, string eventName, Func<JsonElement, Task> handler) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                registry.Remove(eventName, handler);
            }
        }
    }
}
