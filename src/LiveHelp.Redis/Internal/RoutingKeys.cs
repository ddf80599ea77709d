using StackExchange.Redis;

namespace LiveHelp.Redis.Internal;

/// <summary>
/// Where the routing state lives. Every key carries the hash tag "{routing}", so on a Redis Cluster all of them share
/// one slot and a Lua script may touch any of them.
/// </summary>
internal sealed class RoutingKeys(RedisConnection connection)
{
    /// <summary>Hash: request id -> the queued request (JSON).</summary>
    public RedisKey Requests { get; } = connection.Key("{routing}:requests");

    /// <summary>Hash: request id -> its pending offer (JSON).</summary>
    public RedisKey Offers { get; } = connection.Key("{routing}:offers");

    /// <summary>Hash: agent id -> the seat: profile and live state (JSON).</summary>
    public RedisKey Seats { get; } = connection.Key("{routing}:seats");

    /// <summary>String: the node that restored the routing state into this Redis data set.</summary>
    public RedisKey Restored { get; } = connection.Key("{routing}:restored");

    /// <summary>Set: ids of the nodes that may hold agent connections, live or not yet reaped.</summary>
    public RedisKey Nodes { get; } = connection.Key("{routing}:nodes");

    /// <summary>String with a TTL: present while the node heartbeats.</summary>
    public RedisKey Heartbeat(string nodeId) => connection.Key($"{{routing}}:node:{nodeId}");

    /// <summary>Hash: agent id -> how many of the agent's connections the node holds.</summary>
    public RedisKey NodeAgents(string nodeId) => connection.Key($"{{routing}}:node:{nodeId}:agents");
}
