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
            signalR.AddLiveHelpRedis(o =>
            {
                builder.Configuration.GetSection("LiveHelp:Redis").Bind(o);
                o.Configuration = redis;
            });
            services.AddRedisRouting(o => builder.Configuration.GetSection("LiveHelp:Redis:Node").Bind(o));
            services.AddSingleton<ICallStore, RedisCallStore>();
            services.AddHostedService<ResyncAfterOutage>();
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

/// <summary>
/// Messages published while Redis was away may not have reached other nodes' clients. They are stored, so once this
/// node's pub/sub delivers again every client, here and on the other nodes, is told to fetch its open conversations
/// again. Each node does this after its own reconnect, so a message one node stored while cut off is fetched too.
/// </summary>
internal sealed class ResyncAfterOutage(RedisConnection redis, IHubContext<Hubs.HelpHub> hub, ILogger<ResyncAfterOutage> log) : IHostedService
{
    // Long enough for any reconnect StackExchange.Redis manages by itself; a node still cut off after that resyncs on its next reconnect.
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(250);
    private readonly RedisHealthCheck _delivery = new(redis);
    private readonly CancellationTokenSource _stopping = new();
    private int _waiting;

    public Task StartAsync(CancellationToken ct)
    {
        redis.ConnectionChanged += OnChanged;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken ct)
    {
        redis.ConnectionChanged -= OnChanged;
        _stopping.Cancel();
        return Task.CompletedTask;
    }

    private async void OnChanged(object? sender, bool connected)
    {
        // One wait at a time: the interactive and the pub/sub link each report their return.
        if (!connected || Interlocked.Exchange(ref _waiting, 1) == 1)
        {
            return;
        }
        try
        {
            // Not a fixed delay: the resync must come after the replayed subscriptions are live, however slow the node is.
            var deadline = DateTime.UtcNow + GiveUpAfter;
            while (!await _delivery.DeliversAsync(_stopping.Token))
            {
                if (DateTime.UtcNow > deadline)
                {
                    return;
                }
                await Task.Delay(ProbeInterval, _stopping.Token);
            }
            Log.Resyncing(log);
            await hub.Clients.All.SendAsync(Core.Contracts.Hub.Events.Resync);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Log.DeliveryDeferred(log, "*", Core.Contracts.Hub.Events.Resync, e);
        }
        finally
        {
            Volatile.Write(ref _waiting, 0);
        }
    }
}
