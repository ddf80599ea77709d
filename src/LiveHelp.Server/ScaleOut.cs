using LiveHelp.Core.Calls;
using LiveHelp.Core.Conversations;
using LiveHelp.Core.Routing;
using LiveHelp.Persistence;
using LiveHelp.Redis;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace LiveHelp.Server;

/// <summary>
/// Connection strings turn scale-out on, with no code change: "Postgres" keeps conversations and routing state in
/// PostgreSQL, and "Redis" carries hub messages between nodes and keeps live calls where every node sees them.
/// </summary>
internal static class ScaleOut
{
    public static void Add(WebApplicationBuilder builder, ISignalRServerBuilder signalR)
    {
        var services = builder.Services;
        if (builder.Configuration.GetConnectionString("Postgres") is { Length: > 0 } postgres)
        {
            services.AddSingleton<IConversationStore>(_ => new PostgresConversationStore(postgres));
            services.AddSingleton<IRoutingStore>(sp =>
                new PostgresRoutingStore(postgres, sp.GetRequiredService<IOptions<LiveHelpOptions>>().Value.Node.NodeId));
        }
        if (builder.Configuration.GetConnectionString("Redis") is { Length: > 0 } redis)
        {
            // The official backplane (AddStackExchangeRedis) on the node's one Redis connection, and its readiness check.
            signalR.AddLiveHelpRedis(o =>
            {
                builder.Configuration.GetSection("LiveHelp:Redis").Bind(o);
                o.Configuration = redis;
            });
            services.AddSingleton<ICallStore, RedisCallStore>();
            services.AddHostedService<ResyncAfterOutage<Hubs.HelpHub>>();
        }
    }
}
