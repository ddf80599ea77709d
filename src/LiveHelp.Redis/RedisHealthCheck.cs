using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace LiveHelp.Redis;

/// <summary>
/// Readiness of this node's Redis link: Redis answers, and a message published now comes back through this node's
/// pub/sub link. False while Redis is down and until StackExchange.Redis has reconnected and re-subscribed. The
/// multiplexer's own state is not enough: it reports connected before the replayed subscriptions are in place.
/// </summary>
public sealed class RedisHealthCheck(RedisConnection redis) : IHealthCheck
{
    /// <summary>How long the pub/sub round trip may take before Redis counts as not ready.</summary>
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>True when Redis answers and this node's pub/sub subscriptions deliver again.</summary>
    public async Task<bool> DeliversAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return redis.IsConnected && await ProbeAsync(cancellationToken);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return false;
        }
    }

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var failure = context?.Registration?.FailureStatus ?? HealthStatus.Unhealthy;
        if (!redis.IsConnected)
        {
            return new HealthCheckResult(failure, "Redis is unreachable; the connection retries by itself.");
        }
        try
        {
            return await ProbeAsync(cancellationToken)
                ? HealthCheckResult.Healthy("Redis answers and pub/sub delivers.")
                : new HealthCheckResult(failure, "Redis pub/sub is not delivering yet (reconnecting or re-subscribing).");
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return new HealthCheckResult(failure, "Redis does not answer.", e);
        }
    }

    /// <summary>
    /// True when a message published now comes back through this node's own subscription within the timeout.
    /// StackExchange.Redis sends a new SUBSCRIBE after the ones it replays on reconnect, on the same link, so once this
    /// round trip works the replayed subscriptions (the backplane's among them) are in place too.
    /// </summary>
    private async Task<bool> ProbeAsync(CancellationToken cancellationToken)
    {
        var channel = RedisChannel.Literal($"health:{Guid.NewGuid():N}");
        var echoed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Action<RedisChannel, RedisValue> onMessage = (_, _) => echoed.TrySetResult();
        var started = Stopwatch.GetTimestamp();
        try
        {
            await redis.Subscriber.SubscribeAsync(channel, onMessage).WaitAsync(ProbeTimeout, cancellationToken);
            if (await redis.Subscriber.PublishAsync(channel, 1).WaitAsync(ProbeTimeout, cancellationToken) == 0)
            {
                return false;
            }
            await echoed.Task.WaitAsync(ProbeTimeout, cancellationToken);
            // Subscribe, publish and the message's return: the path every hub message to another node takes.
            RedisTelemetry.Record("pubsub_round_trip", started);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        finally
        {
            DropQuietly(channel, onMessage);
        }
    }

    /// <summary>Drops the handler at once and tells Redis without waiting; while Redis is away it drops the channel with the link.</summary>
    private void DropQuietly(RedisChannel channel, Action<RedisChannel, RedisValue> onMessage)
    {
        try
        {
            redis.Subscriber.Unsubscribe(channel, onMessage, CommandFlags.FireAndForget);
        }
        catch (Exception e) when (e is RedisException or ObjectDisposedException)
        {
        }
    }
}
