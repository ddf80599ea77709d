using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LiveHelp.Redis.Internal;

/// <summary>
/// Opens the shared Redis connection while the host starts (being constructed is enough), so a bad configuration
/// fails the boot rather than the first hub connection.
/// </summary>
internal sealed class RedisConnectionStartup(RedisConnection redis, ILogger<RedisConnectionStartup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        RedisBackplaneLog.ConnectionOpened(logger, redis.Prefix, redis.IsConnected);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
