using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace LiveHelp.Redis.Internal;

/// <summary>One pub/sub subscription: the channel and the exact handler registered for it.</summary>
internal sealed class BusSubscription(string name, RedisChannel channel, Action<RedisChannel, RedisValue> handler)
{
    /// <summary>The channel name without the installation prefix.</summary>
    public string Name { get; } = name;

    public RedisChannel Channel { get; } = channel;

    public Action<RedisChannel, RedisValue> Handler { get; } = handler;
}

/// <summary>
/// Byte-array pub/sub over <see cref="RedisConnection"/>, so the backplane never sees StackExchange.Redis types and
/// every failure to reach Redis surfaces as one <see cref="RedisBackplaneException"/>.
/// </summary>
internal sealed class BackplaneBus(RedisConnection connection, ILogger logger)
{
    /// <summary>
    /// Subscribes <paramref name="onMessage"/> to a literal channel. While Redis is down this succeeds: StackExchange.Redis
    /// keeps the subscription and sends it when the link is back, as it does for every existing subscription.
    /// </summary>
    public async Task<BusSubscription> SubscribeAsync(string name, Action<byte[]> onMessage)
    {
        var channel = connection.Channel(name);
        Action<RedisChannel, RedisValue> handler = (_, value) =>
        {
            try
            {
                onMessage((byte[]?)value ?? []);
            }
            catch (Exception e)
            {
                RedisBackplaneLog.HandlerFailed(logger, name, e);
            }
        };
        var subscription = new BusSubscription(name, channel, handler);
        try
        {
            await connection.Subscriber.SubscribeAsync(channel, handler);
        }
        catch (RedisConnectionException e)
        {
            // The link died under the SUBSCRIBE. StackExchange.Redis keeps the handler and subscribes again when the
            // link is back, as for every other subscription; dropping it here and retrying would add it twice.
            RedisBackplaneLog.SubscribePending(logger, name, e);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            UnsubscribeNow(subscription);
            throw new RedisBackplaneException($"Could not subscribe to the Redis channel '{channel}'.", e);
        }
        return subscription;
    }

    public async Task UnsubscribeAsync(BusSubscription subscription)
    {
        try
        {
            await connection.Subscriber.UnsubscribeAsync(subscription.Channel, subscription.Handler);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            throw new RedisBackplaneException($"Could not unsubscribe from the Redis channel '{subscription.Channel}'.", e);
        }
    }

    /// <summary>Drops the handler at once and tells Redis without waiting for its answer (for shutdown).</summary>
    public void UnsubscribeNow(BusSubscription subscription)
    {
        try
        {
            connection.Subscriber.Unsubscribe(subscription.Channel, subscription.Handler, CommandFlags.FireAndForget);
        }
        catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
        {
            // The handler is already gone locally; Redis drops the server side with the link.
        }
    }

    /// <summary>Publishes to a literal channel and returns how many Redis clients received it.</summary>
    public async Task<long> PublishAsync(string name, byte[] payload)
    {
        try
        {
            return await connection.Subscriber.PublishAsync(connection.Channel(name), payload);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            throw new RedisBackplaneException("Redis is unavailable: the message did not reach the other nodes.", e);
        }
    }

    /// <summary>
    /// True when a message published now comes back through this node's own subscriptions within the timeout.
    /// StackExchange.Redis sends a new SUBSCRIBE after the ones it replays on reconnect, on the same link, so once this
    /// round trip works the replayed subscriptions are in place too.
    /// </summary>
    public async Task<bool> ProbeAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var echoed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        BusSubscription? subscription = null;
        try
        {
            subscription = await SubscribeAsync($"health:{Guid.NewGuid():N}", _ => echoed.TrySetResult())
                .WaitAsync(timeout, cancellationToken);
            var receivers = await PublishAsync(subscription.Name, [1]).WaitAsync(timeout, cancellationToken);
            if (receivers == 0)
            {
                return false;
            }
            await echoed.Task.WaitAsync(timeout, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        finally
        {
            if (subscription is not null)
            {
                UnsubscribeNow(subscription);
            }
        }
    }
}
