using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;

namespace LiveHelp.Redis.Internal;

/// <summary>The local connections behind one group or user name, and this node's one subscription for them.</summary>
internal sealed class SubscriptionEntry(string name)
{
    public string Name { get; } = name;

    public ConcurrentDictionary<string, HubConnectionContext> Members { get; } = new(StringComparer.Ordinal);

    /// <summary>Orders subscribe and unsubscribe for this name.</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    public BusSubscription? Subscription { get; set; }

    /// <summary>Callers working on this entry; it leaves the table only when none is left and it is empty.</summary>
    public int Users { get; set; }
}

/// <summary>
/// Reference-counted subscriptions (one table for groups, one for users): a channel is subscribed once per node while
/// at least one local connection needs it, and released when the last one leaves.
/// </summary>
internal sealed class SubscriptionTable(
    BackplaneBus bus,
    ILogger logger,
    Func<string, string> channelOf,
    Action<SubscriptionEntry, byte[]> onMessage)
{
    private readonly Dictionary<string, SubscriptionEntry> _entries = new(StringComparer.Ordinal);

    public bool TryGet(string name, out SubscriptionEntry entry)
    {
        lock (_entries)
        {
            return _entries.TryGetValue(name, out entry!);
        }
    }

    public IReadOnlyList<SubscriptionEntry> Snapshot()
    {
        lock (_entries)
        {
            return [.. _entries.Values];
        }
    }

    public async Task AddAsync(string name, HubConnectionContext connection)
    {
        var entry = Pin(name, create: true)!;
        await entry.Gate.WaitAsync();
        try
        {
            if (entry.Subscription is null)
            {
                entry.Subscription = await bus.SubscribeAsync(channelOf(name), payload => onMessage(entry, payload));
                RedisBackplaneLog.Subscribed(logger, entry.Subscription.Name);
            }
            entry.Members[connection.ConnectionId] = connection;
        }
        finally
        {
            entry.Gate.Release();
            Unpin(entry);
        }
    }

    /// <summary>Never throws: a failed UNSUBSCRIBE is reported and the handler is gone locally anyway.</summary>
    public async Task RemoveAsync(string name, HubConnectionContext connection)
    {
        var entry = Pin(name, create: false);
        if (entry is null)
        {
            return;
        }
        await entry.Gate.WaitAsync();
        try
        {
            if (entry.Members.TryRemove(connection.ConnectionId, out _) && entry.Members.IsEmpty && entry.Subscription is { } subscription)
            {
                entry.Subscription = null;
                try
                {
                    await bus.UnsubscribeAsync(subscription);
                    RedisBackplaneLog.Unsubscribed(logger, subscription.Name);
                }
                catch (RedisBackplaneException e)
                {
                    RedisBackplaneLog.UnsubscribeFailed(logger, subscription.Name, e);
                }
            }
        }
        finally
        {
            entry.Gate.Release();
            Unpin(entry);
        }
    }

    private SubscriptionEntry? Pin(string name, bool create)
    {
        lock (_entries)
        {
            if (!_entries.TryGetValue(name, out var entry))
            {
                if (!create)
                {
                    return null;
                }
                entry = new SubscriptionEntry(name);
                _entries.Add(name, entry);
            }
            entry.Users++;
            return entry;
        }
    }

    private void Unpin(SubscriptionEntry entry)
    {
        lock (_entries)
        {
            if (--entry.Users == 0 && entry.Members.IsEmpty && entry.Subscription is null)
            {
                _entries.Remove(entry.Name);
            }
        }
    }
}
