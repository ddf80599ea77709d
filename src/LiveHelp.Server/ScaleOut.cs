using LiveHelp.Core.Calls;
using LiveHelp.Core.Conversations;
using LiveHelp.Persistence;
using LiveHelp.Redis;
using Microsoft.AspNetCore.SignalR;

namespace LiveHelp.Server;

/// <summary>
/// Connection strings turn scale-out on, with no code change: "Postgres" keeps conversations in PostgreSQL, and
/// "Redis" carries hub messages between nodes and keeps routing state and live calls where every node sees them.
/// </summary>
internal static class ScaleOut
{
    public static void Add(WebApplicationBuilder builder, ISignalRServerBuilder signalR)
    {
        var services = builder.Services;
        if (builder.Configuration.GetConnectionString("Postgres") is { Length: > 0 } postgres)
        {
            services.AddSingleton<IConversationStore>(_ => new PostgresConversationStore(postgres));
        }
        if (builder.Configuration.GetConnectionString("Redis") is { Length: > 0 } redis)
        {
            // The official backplane (AddStackExchangeRedis) on the node's one Redis connection, and its readiness check.
            signalR.AddLiveHelpRedis(o =>
            {
                builder.Configuration.GetSection("LiveHelp:Redis").Bind(o);
                o.Configuration = redis;
            });
            services.AddRedisRouting(o => builder.Configuration.GetSection("LiveHelp:Redis:Node").Bind(o));
            services.AddSingleton<ICallStore, RedisCallStore>();
            services.AddHostedService<ResyncAfterOutage<Hubs.HelpHub>>();
        }
    }

    /// <summary>
    /// Whether this node should rebuild routing state from the conversation store: always on a single node; with
    /// Redis, only the one node that claims it (first start, or after Redis lost its data).
    /// </summary>
    public static async Task<bool> ShouldRestoreAsync(IServiceProvider services) =>
        services.GetService<RedisRoutingStore>() is not { } shared || await shared.TryClaimRestoreAsync();

    /// <summary>True (once, on one node) when Redis came back without the routing state: it must be rebuilt.</summary>
    public static async Task<bool> SharedStateLostAsync(IServiceProvider services) =>
        services.GetService<RedisRoutingStore>() is { } shared && await shared.TryClaimRestoreAsync();
}
