using System.Threading.Channels;

namespace LiveHelp.Server.Tests;

/// <summary>Collects one kind of event from a client so a test can wait for the one it expects.</summary>
public sealed class Inbox<T>
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly Channel<T> _items = Channel.CreateUnbounded<T>();
    private readonly List<T> _seen = [];

    public Inbox(Action<EventHandler<T>> subscribe) => subscribe((_, item) => _items.Writer.TryWrite(item));

    /// <summary>Everything received so far, matched or not.</summary>
    public IReadOnlyList<T> Seen
    {
        get
        {
            lock (_seen)
            {
                while (_items.Reader.TryRead(out var item))
                {
                    _seen.Add(item);
                }
                return [.. _seen];
            }
        }
    }

    /// <summary>The next event that matches, skipping others; fails the test after <see cref="Patience"/>.</summary>
    public async Task<T> NextAsync(Func<T, bool>? match = null, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Patience);
        try
        {
            while (true)
            {
                var item = await _items.Reader.ReadAsync(cts.Token);
                lock (_seen)
                {
                    _seen.Add(item);
                }
                if (match is null || match(item))
                {
                    return item;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no matching {typeof(T).Name} within {timeout ?? Patience}");
        }
    }

    /// <summary>Passes when no matching event arrives within <paramref name="window"/>.</summary>
    public async Task NoneAsync(Func<T, bool>? match, TimeSpan window)
    {
        try
        {
            var item = await NextAsync(match, window);
            Assert.Fail($"did not expect {item}");
        }
        catch (TimeoutException)
        {
        }
    }
}
