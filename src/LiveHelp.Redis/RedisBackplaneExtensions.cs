using LiveHelp.Redis.Internal;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using BackplaneOptions = Microsoft.AspNetCore.SignalR.StackExchangeRedis.RedisOptions;

namespace LiveHelp.Redis;

public static class RedisBackplaneExtensions
{
    /// <summary>
    /// Scales SignalR out over Redis with the official backplane (<c>AddStackExchangeRedis</c>), on the node's shared
    /// <see cref="RedisConnection"/> (registered here unless one is already, opened while the host starts), plus the
    /// "redis" readiness check <see cref="RedisHealthCheck"/>. Options are validated at start-up.
    /// </summary>
    public static ISignalRServerBuilder AddLiveHelpRedis(this ISignalRServerBuilder signalR, Action<RedisOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var services = signalR.Services;
        services.AddOptions<RedisOptions>()
            .Configure(configure)
            .Validate(o => !string.IsNullOrWhiteSpace(o.Configuration), "RedisOptions.Configuration (the Redis connection string) is empty.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.Prefix), "RedisOptions.Prefix is empty.")
            .ValidateOnStart();
        services.TryAddSingleton(sp => RedisConnection.Connect(sp.GetRequiredService<IOptions<RedisOptions>>().Value));
        services.AddHostedService<RedisConnectionStartup>();
        signalR.AddStackExchangeRedis();
        services.AddOptions<BackplaneOptions>().Configure<RedisConnection>((o, redis) => o.ConnectionFactory = redis.ForBackplaneAsync);
        services.AddHealthChecks().AddCheck<RedisHealthCheck>("redis");
        return signalR;
    }
}
