using LiveHelp.Redis.Internal;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace LiveHelp.Redis;

public static class RedisBackplaneExtensions
{
    /// <summary>
    /// Scales SignalR out over Redis: every hub's <see cref="HubLifetimeManager{THub}"/> becomes a
    /// <see cref="RedisHubLifetimeManager{THub}"/>; registers the shared <see cref="RedisConnection"/> singleton (unless
    /// one is registered already), opened while the host starts, and the "redis" readiness check
    /// <see cref="RedisHealthCheck"/>. Options are validated at start-up.
    /// </summary>
    public static ISignalRServerBuilder AddLiveHelpRedis(this ISignalRServerBuilder signalR, Action<RedisOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var services = signalR.Services;
        services.AddOptions<RedisOptions>()
            .Configure(configure)
            .Validate(o => !string.IsNullOrWhiteSpace(o.Configuration), "RedisOptions.Configuration (the Redis connection string) is empty.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.Prefix), "RedisOptions.Prefix is empty.")
            .Validate(o => o.AckTimeout > TimeSpan.Zero, "RedisOptions.AckTimeout must be positive.")
            .ValidateOnStart();
        services.TryAddSingleton(sp => RedisConnection.Connect(sp.GetRequiredService<IOptions<RedisOptions>>().Value));
        services.AddHostedService<RedisConnectionStartup>();
        services.AddSingleton(typeof(HubLifetimeManager<>), typeof(RedisHubLifetimeManager<>));
        services.AddHealthChecks().AddCheck<RedisHealthCheck>("redis");
        return signalR;
    }
}
