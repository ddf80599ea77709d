using LiveHelp.Core.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace LiveHelp.Redis;

public static class RedisRoutingStoreExtensions
{
    /// <summary>
    /// Keeps the routing state in Redis: <see cref="IRoutingStore"/> becomes this node's <see cref="RedisRoutingStore"/>
    /// (whether registered before or after the in-memory default), and <see cref="RedisNodeRegistry"/> runs as a hosted
    /// service that heartbeats and reaps dead nodes. Needs a <see cref="RedisConnection"/> singleton.
    /// </summary>
    public static IServiceCollection AddRedisRouting(this IServiceCollection services, Action<RedisNodeOptions>? configure = null)
    {
        var options = new RedisNodeOptions();
        configure?.Invoke(options);
        options.Validate();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options);
        services.AddSingleton(sp => new RedisRoutingStore(sp.GetRequiredService<RedisConnection>(), options.NodeId));
        services.Replace(ServiceDescriptor.Singleton<IRoutingStore>(sp => sp.GetRequiredService<RedisRoutingStore>()));
        services.AddSingleton(sp => new RedisNodeRegistry(
            sp.GetRequiredService<RedisRoutingStore>(), options, sp.GetRequiredService<TimeProvider>(), sp.GetService<ILogger<RedisNodeRegistry>>()));
        services.AddHostedService(sp => sp.GetRequiredService<RedisNodeRegistry>());
        return services;
    }
}
