using LiveHelp.Redis.Internal;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;

namespace LiveHelp.Redis;

/// <summary>
/// Readiness of this node's Redis link: Redis answers, and a message published now comes back through this node's
/// pub/sub subscriptions. False while Redis is down and until StackExchange.Redis has reconnected and re-subscribed.
/// </summary>
public sealed class RedisHealthCheck(RedisConnection redis) : IHealthCheck
{
    private readonly BackplaneBus _bus = new(redis, NullLogger.Instance);

    /// <summary>How long the pub/sub round trip may take before Redis counts as not ready.</summary>
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>True when Redis answers and this node's pub/sub subscriptions deliver again.</summary>
    public async Task<bool> DeliversAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return redis.IsConnected && await _bus.ProbeAsync(ProbeTimeout, cancellationToken);
        }
        catch (RedisBackplaneException)
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
            return await _bus.ProbeAsync(ProbeTimeout, cancellationToken)
                ? HealthCheckResult.Healthy("Redis answers and pub/sub delivers.")
                : new HealthCheckResult(failure, "Redis pub/sub is not delivering yet (reconnecting or re-subscribing).");
        }
        catch (RedisBackplaneException e)
        {
            return new HealthCheckResult(failure, "Redis does not answer.", e);
        }
    }
}
