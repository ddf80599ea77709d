using LiveHelp.Core;
using LiveHelp.Core.Routing;
using LiveHelp.Redis.Internal;
using StackExchange.Redis;

namespace LiveHelp.Redis;

/// <summary>
/// The routing state shared by every node through Redis: queue, seats and offers in three hashes, each transition
/// one Lua script, so whichever nodes race a request is assigned once and no agent goes over their cap. Agent
/// connections are counted per node (this instance speaks for <see cref="NodeId"/>), so that when a node dies a
/// survivor can take exactly its connections away (<see cref="RedisNodeRegistry"/>).
/// </summary>
public sealed class RedisRoutingStore : IRoutingStore
{
    private readonly IDatabase _redis;
    private readonly RoutingKeys _keys;
    private readonly RedisKey[] _queueKeys;
    private readonly RedisKey[] _seatKeys;

    // What this node holds, mirrored into Redis; the heartbeat restores it when Redis no longer has it.
    private readonly SemaphoreSlim _connectionsGate = new(1, 1);
    private readonly Dictionary<string, int> _connections = new(StringComparer.Ordinal);

    // The status each agent last set through this node: what their seat gets back when Redis lost it.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, AgentStatus> _statuses = new(StringComparer.Ordinal);

    public RedisRoutingStore(RedisConnection connection, string nodeId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nodeId);
        NodeId = nodeId;
        _redis = connection.Database;
        _keys = new RoutingKeys(connection);
        _queueKeys = [_keys.Requests, _keys.Offers, _keys.Seats];
        _seatKeys = [_keys.Seats];
    }

    /// <summary>The node this instance speaks for: connections opened through it are counted against this node.</summary>
    public string NodeId { get; }

    internal RoutingKeys Keys => _keys;

    internal IDatabase Database => _redis;

    public Task EnqueueAsync(HelpRequest request) =>
        _redis.HashSetAsync(_keys.Requests, request.Id, Write(RequestRecord.Of(request)));

    public async Task<bool> TryReinstateAsync(HelpRequest request) =>
        (long)await RunAsync(RoutingScripts.Reinstate, [_keys.Requests, _keys.Seats], request.Id, Write(RequestRecord.Of(request))) == 1;

    public async Task<HelpRequest?> FindRequestAsync(string requestId) =>
        await _redis.HashGetAsync(_keys.Requests, requestId) is { IsNull: false } raw ? ReadRequest(raw) : null;

    public async Task<(bool Removed, Offer? WithdrawnOffer)> TryDequeueAsync(string requestId)
    {
        var result = await RunAsync(RoutingScripts.Dequeue, _queueKeys, requestId);
        if (result.IsNull)
        {
            return (false, null);
        }
        var withdrawn = (string?)result;
        return (true, string.IsNullOrEmpty(withdrawn) ? null : ReadOffer(withdrawn));
    }

    public async Task<IReadOnlyList<HelpRequest>> ListQueueAsync()
    {
        var entries = await _redis.HashGetAllAsync(_keys.Requests);
        return RoutingPolicy.QueueOrder(entries.Select(e => ReadRequest(e.Value))).ToList();
    }

    public Task UpsertProfileAsync(AgentProfile profile) =>
        RunAsync(
            RoutingScripts.UpsertProfile,
            _seatKeys,
            profile.AgentId,
            ProfileRecord.Write(profile),
            profile.MaxConcurrent,
            ProfileRecord.SkillKeys(profile));

    public async Task<AgentSeat?> FindSeatAsync(string agentId) =>
        await _redis.HashGetAsync(_keys.Seats, agentId) is { IsNull: false } raw ? ReadSeat(raw) : null;

    public async Task<IReadOnlyList<AgentSeat>> ListSeatsAsync()
    {
        var entries = await _redis.HashGetAllAsync(_keys.Seats);
        return entries.Select(e => ReadSeat(e.Value)).OrderBy(s => s.AgentId, StringComparer.Ordinal).ToList();
    }

    public Task SetStatusAsync(string agentId, AgentStatus status)
    {
        _statuses[agentId] = status;
        return RunAsync(RoutingScripts.SetStatus, _seatKeys, agentId, (int)status);
    }

    public async Task ConnectAsync(string agentId)
    {
        await _connectionsGate.WaitAsync();
        try
        {
            var counted = await RunAsync(RoutingScripts.Connect, [_keys.Seats, _keys.NodeAgents(NodeId), _keys.Nodes], agentId, NodeId);
            if ((long)counted == 1)
            {
                _connections[agentId] = _connections.GetValueOrDefault(agentId) + 1;
            }
        }
        finally
        {
            _connectionsGate.Release();
        }
    }

    public async Task DisconnectAsync(string agentId, DateTimeOffset now)
    {
        await _connectionsGate.WaitAsync();
        try
        {
            await RunAsync(RoutingScripts.Disconnect, [_keys.Seats, _keys.NodeAgents(NodeId)], agentId, RoutingTime.Format(now));
            // The connection is gone from this node even when a survivor already took it away in Redis.
            if (_connections.GetValueOrDefault(agentId) is var held && held > 1)
            {
                _connections[agentId] = held - 1;
            }
            else
            {
                _connections.Remove(agentId);
            }
        }
        finally
        {
            _connectionsGate.Release();
        }
    }

    public async Task<Offer?> TryOfferAsync(string requestId, string agentId, DateTimeOffset deadline)
    {
        var made = await RunAsync(RoutingScripts.Offer, _queueKeys, requestId, agentId, RoutingTime.Format(deadline));
        return (long)made == 1 ? new Offer(requestId, agentId, deadline) : null;
    }

    public async Task<IReadOnlyList<Offer>> ListOffersAsync()
    {
        var entries = await _redis.HashGetAllAsync(_keys.Offers);
        return entries.Select(e => ReadOffer(e.Value.ToString())).OrderBy(o => o.RequestId, StringComparer.Ordinal).ToList();
    }

    public async Task<Offer?> TryWithdrawOfferAsync(string requestId, string agentId, DateTimeOffset passOverUntil)
    {
        var withdrawn = await RunAsync(RoutingScripts.Withdraw, _queueKeys, requestId, agentId, RoutingTime.Format(passOverUntil));
        return withdrawn.IsNull ? null : ReadOffer((string)withdrawn!);
    }

    public async Task<bool> TryClaimAsync(string requestId, string agentId, bool requireOffer, DateTimeOffset now) =>
        (long)await RunAsync(RoutingScripts.Claim, _queueKeys, requestId, agentId, requireOffer ? "1" : "0", RoutingTime.Format(now)) == 1;

    public async Task<bool> TryAssignAsync(string conversationId, string agentId, DateTimeOffset now) =>
        (long)await RunAsync(RoutingScripts.Assign, _seatKeys, conversationId, agentId, RoutingTime.Format(now)) == 1;

    public Task AttachAsync(string conversationId, string agentId, DateTimeOffset now) =>
        RunAsync(RoutingScripts.Attach, _seatKeys, conversationId, agentId, RoutingTime.Format(now));

    public async Task<IReadOnlyList<string>?> TryRetireAsync(string agentId, DateTimeOffset disconnectedBy)
    {
        var released = await RunAsync(RoutingScripts.Retire, _seatKeys, agentId, RoutingTime.Format(disconnectedBy));
        return released.IsNull ? null : ((string[])released!).Order(StringComparer.Ordinal).ToList();
    }

    public Task ReleaseAsync(string agentId, string conversationId) =>
        RunAsync(RoutingScripts.Release, _seatKeys, agentId, conversationId);

    /// <summary>
    /// True for exactly one caller per Redis data set: the node that should fill the routing state from the conversation
    /// store (seats, queue, held conversations), at the first start or after Redis lost its data. Every other node
    /// finds the state already shared and must not restore it again.
    /// </summary>
    public Task<bool> TryClaimRestoreAsync() => _redis.StringSetAsync(_keys.Restored, NodeId, when: When.NotExists);

    /// <summary>
    /// Marks this node alive for <paramref name="ttl"/> and makes the connections Redis records for it match the ones it
    /// holds (with the status its agents set here, when Redis lost that too); returns how many seats had to change (0 unless the node had been reaped or Redis lost its data).
    /// </summary>
    internal async Task<int> HeartbeatAsync(TimeSpan ttl, DateTimeOffset now)
    {
        await _connectionsGate.WaitAsync();
        try
        {
            var values = new List<RedisValue> { NodeId, (long)Math.Ceiling(ttl.TotalMilliseconds), RoutingTime.Format(now) };
            foreach (var (agentId, count) in _connections)
            {
                values.Add(agentId);
                values.Add(count);
                values.Add((int)_statuses.GetValueOrDefault(agentId, AgentStatus.Offline));
            }
            var changed = await _redis.ScriptEvaluateAsync(
                RoutingScripts.Heartbeat, [_keys.Heartbeat(NodeId), _keys.NodeAgents(NodeId), _keys.Nodes, _keys.Seats], [.. values]);
            return (int)changed;
        }
        finally
        {
            _connectionsGate.Release();
        }
    }

    /// <summary>Stops vouching for this node at once, so that survivors reap what it still holds without waiting for the TTL.</summary>
    internal Task LeaveAsync() => _redis.KeyDeleteAsync(_keys.Heartbeat(NodeId));

    private Task<RedisResult> RunAsync(string script, RedisKey[] keys, params RedisValue[] values) =>
        _redis.ScriptEvaluateAsync(script, keys, values);

    private static string Write(RequestRecord record) =>
        System.Text.Json.JsonSerializer.Serialize(record, RoutingJson.Default.RequestRecord);

    private static HelpRequest ReadRequest(RedisValue raw) => RoutingJson.Read((string)raw!, RoutingJson.Default.RequestRecord).ToRequest();

    private static AgentSeat ReadSeat(RedisValue raw) => RoutingJson.Read((string)raw!, RoutingJson.Default.SeatRecord).ToSeat();

    private static Offer ReadOffer(string raw) => RoutingJson.Read(raw, RoutingJson.Default.OfferRecord).ToOffer();
}
