using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LiveHelp.Redis.Internal;

/// <summary>
/// Opens the shared Redis connection while the host starts (being constructed is enough), so a bad configuration
/// fails the boot rather than the first hub connection.
/// </summary>
internal sealed partial class RedisConnectionStartup(RedisConnection redis, ILogger<RedisConnectionStartup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        ConnectionOpened(logger, redis.Prefix, redis.IsConnected);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(214, LogLevel.Information, "Redis connection for key prefix {Prefix} opened; connected: {Connected} (it keeps retrying while Redis is down)")]
    private static partial void ConnectionOpened(ILogger logger, string prefix, bool connected);
}
