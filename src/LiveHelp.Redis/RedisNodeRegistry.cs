using LiveHelp.Redis.Internal;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace LiveHelp.Redis;

/// <summary>A node found dead, and the agents whose connections on it were taken away.</summary>
public sealed record DeadNode(string NodeId, IReadOnlyList<string> AgentIds);

/// <summary>
/// Node liveness: this node heartbeats with a TTL, and every node reaps the nodes whose heartbeat has expired by
/// disconnecting the agent connections they held, so the usual grace period starts and any live node's router
/// retires the agents who do not come back. As a hosted service it does both every <see cref="RedisNodeOptions.HeartbeatInterval"/>.
/// </summary>
public sealed class RedisNodeRegistry : BackgroundService
{
    private readonly RedisRoutingStore _store;
    private readonly RedisNodeOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger _log;
    private readonly IDatabase _redis;

    public RedisNodeRegistry(RedisRoutingStore store, RedisNodeOptions options, TimeProvider clock, ILogger<RedisNodeRegistry>? log = null)
    {
        options.Validate();
        if (options.NodeId != store.NodeId)
        {
            throw new ArgumentException($"The store speaks for node '{store.NodeId}', the options for '{options.NodeId}'.", nameof(options));
        }
        _store = store;
        _options = options;
        _clock = clock;
        _log = log ?? NullLogger<RedisNodeRegistry>.Instance;
        _redis = store.Database;
    }

    public string NodeId => _store.NodeId;

    /// <summary>
    /// Renews this node's heartbeat and re-records the agent connections it holds, should a survivor have reaped it
    /// while it was only slow (or Redis have lost its data).
    /// </summary>
    public async Task HeartbeatAsync()
    {
        if (await _store.HeartbeatAsync(_options.HeartbeatTtl, _clock.GetUtcNow()) is > 0 and var restored)
        {
            RoutingLog.ConnectionsRestored(_log, NodeId, restored);
        }
    }

    /// <summary>
    /// Disconnects, as of <paramref name="now"/>, every agent connection held by a node whose heartbeat has expired.
    /// Each dead node is reaped once, however many nodes try at the same time.
    /// </summary>
    public async Task<IReadOnlyList<DeadNode>> ReapDeadNodesAsync(DateTimeOffset now)
    {
        var keys = _store.Keys;
        var dead = new List<DeadNode>();
        foreach (var member in await _redis.SetMembersAsync(keys.Nodes))
        {
            var nodeId = (string)member!;
            if (nodeId == NodeId)
            {
                continue;
            }
            var agents = await _redis.ScriptEvaluateAsync(
                RoutingScripts.Reap, [keys.Heartbeat(nodeId), keys.NodeAgents(nodeId), keys.Nodes, keys.Seats], [nodeId, RoutingTime.Format(now)]);
            if (!agents.IsNull)
            {
                var reaped = new DeadNode(nodeId, ((string[])agents!).Order(StringComparer.Ordinal).ToList());
                RoutingLog.NodeReaped(_log, nodeId, reaped.AgentIds.Count);
                dead.Add(reaped);
            }
        }
        return dead;
    }

    /// <summary>The nodes whose heartbeat is current.</summary>
    public async Task<IReadOnlyList<string>> ListLiveNodesAsync()
    {
        var keys = _store.Keys;
        var live = new List<string>();
        foreach (var member in await _redis.SetMembersAsync(keys.Nodes))
        {
            var nodeId = (string)member!;
            if (await _redis.KeyExistsAsync(keys.Heartbeat(nodeId)))
            {
                live.Add(nodeId);
            }
        }
        return live.Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Withdraws this node's heartbeat, so that survivors reap whatever it still holds at their next look.</summary>
    public Task LeaveAsync() => _store.LeaveAsync();

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Heartbeat before the server takes connections: a node with connections and no heartbeat looks dead.
        await BeatAsync();
        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await LeaveAsync();
        }
        catch (RedisException e)
        {
            RoutingLog.HeartbeatFailed(_log, NodeId, e);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.HeartbeatInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await BeatAsync();
        }
    }

    private async Task BeatAsync()
    {
        try
        {
            await HeartbeatAsync();
            await ReapDeadNodesAsync(_clock.GetUtcNow());
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            RoutingLog.HeartbeatFailed(_log, NodeId, e);
        }
    }
}
