using LiveHelp.Core.Routing;
using Microsoft.Extensions.Options;

namespace LiveHelp.Server.Help;

/// <summary>
/// Keeps this node's heartbeat in the routing store and takes away the agent connections of nodes that stopped
/// beating, so their agents' grace periods start and any live node's clock requeues what they held.
/// </summary>
internal sealed class NodeHeartbeat(IRoutingStore store, IConfiguration configuration, IOptions<LiveHelpOptions> options, TimeProvider clock, ILogger<NodeHeartbeat> log)
    : BackgroundService
{
    private readonly StoreOutageLog _outage = new(log, "The node heartbeat");

    private NodeOptions Node => options.Value.Node;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (store is INodeLiveness nodes)
        {
            // Beats before the server takes connections: connections on a node without a heartbeat look dead.
            await nodes.HeartbeatAsync(clock.GetUtcNow());
            if (configuration.GetConnectionString("Postgres") is not { Length: > 0 })
            {
                // A single node owns its file: whatever an earlier run of it left connected is gone now.
                await ReapAsync(nodes, TimeSpan.Zero);
            }
        }
        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (store is INodeLiveness nodes)
        {
            await BeatAsync(() => nodes.LeaveAsync());
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (store is not INodeLiveness nodes)
        {
            return;
        }
        using var timer = new PeriodicTimer(Node.HeartbeatInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await BeatAsync(async () =>
            {
                await nodes.HeartbeatAsync(clock.GetUtcNow());
                await ReapAsync(nodes, Node.HeartbeatTtl);
            });
        }
    }

    private async Task ReapAsync(INodeLiveness nodes, TimeSpan silence)
    {
        // A node that held no agent (every restart of a single node leaves one behind) is not worth a line.
        foreach (var dead in (await nodes.ReapDeadNodesAsync(clock.GetUtcNow(), silence)).Where(d => d.AgentIds.Count > 0))
        {
            Log.NodeReaped(log, dead.NodeId, dead.AgentIds.Count);
        }
    }

    private Task BeatAsync(Func<Task> beat) => _outage.RunAsync(beat, e => Log.HeartbeatFailed(log, Node.NodeId, e));
}
