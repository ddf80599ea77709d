using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using LiveHelp.Redis.Internal;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LiveHelp.Redis;

/// <summary>
/// Scale-out of a SignalR hub over Redis pub/sub: how a message crosses nodes.
/// <list type="bullet">
/// <item>Connections on this node are written to directly; Redis carries a send only to the other nodes, which
/// ignore what this node published for itself.</item>
/// <item>A send is serialized once per hub protocol into one envelope (see <see cref="BackplaneEnvelope"/>) and
/// published once per target channel; receivers write the ready bytes.</item>
/// <item>Group and user channels are subscribed once per node while a local connection needs them. A connection's own
/// channel reaches only the node holding it, which is how another node adds it to a group and waits for the ack.</item>
/// <item>Pub/sub callbacks only start writes; they never wait for a client, so one slow or broken connection delays
/// neither the rest of a group nor any other channel.</item>
/// </list>
/// Channels: <c>{prefix}:signalr:{hub type}:all | conn:{id} | group:{name} | user:{id} | node:{node id}</c>, always
/// literal.
/// </summary>
public sealed class RedisHubLifetimeManager<THub> : HubLifetimeManager<THub>, IDisposable
    where THub : Hub
{
    private readonly ConcurrentDictionary<string, LocalConnection> _connections = new(StringComparer.Ordinal);
    private readonly RedisConnection _redis;
    private readonly BackplaneBus _bus;
    private readonly BackplaneChannels _channels;
    private readonly SubscriptionTable _groups;
    private readonly SubscriptionTable _users;
    private readonly AckRegistry _acks = new();
    private readonly IReadOnlyList<IHubProtocol> _protocols;
    private readonly TimeSpan _ackTimeout;
    private readonly ILogger _logger;
    private readonly string _hubName = typeof(THub).Name;
    private readonly SemaphoreSlim _startGate = new(1, 1);
    private BusSubscription? _allSubscription;
    private BusSubscription? _nodeSubscription;
    private volatile bool _started;
    private volatile bool _disposed;
    private int _connected;

    public RedisHubLifetimeManager(
        RedisConnection redis,
        IOptions<RedisOptions> options,
        IHubProtocolResolver protocolResolver,
        ILogger<RedisHubLifetimeManager<THub>> logger)
    {
        _redis = redis;
        _bus = new BackplaneBus(redis, logger);
        _channels = new BackplaneChannels(typeof(THub).FullName ?? _hubName);
        _protocols = protocolResolver.AllProtocols;
        _ackTimeout = options.Value.AckTimeout;
        _logger = logger;
        _groups = new SubscriptionTable(_bus, logger, _channels.Group, OnGroupOrUserMessage);
        _users = new SubscriptionTable(_bus, logger, _channels.User, OnGroupOrUserMessage);
        _connected = redis.IsConnected ? 1 : 0;
        redis.ConnectionChanged += OnConnectionChanged;
    }

    /// <summary>This node's id on the backplane, unique per process start.</summary>
    public Guid NodeId { get; } = Guid.NewGuid();

    public override async Task OnConnectedAsync(HubConnectionContext connection)
    {
        await EnsureStartedAsync();
        var local = new LocalConnection(connection, connection.UserIdentifier);
        local.Subscription = await _bus.SubscribeAsync(_channels.Connection(connection.ConnectionId), payload => OnConnectionMessage(local, payload));
        _connections[connection.ConnectionId] = local;
        if (local.UserId is { } userId)
        {
            try
            {
                await _users.AddAsync(userId, connection);
            }
            catch
            {
                _connections.TryRemove(connection.ConnectionId, out _);
                await UnsubscribeQuietlyAsync(local.Subscription);
                throw;
            }
        }
    }

    public override async Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        if (!_connections.TryRemove(connection.ConnectionId, out var local))
        {
            return;
        }
        await local.Gate.WaitAsync();
        try
        {
            local.IsClosed = true;
            var releases = new List<Task>(local.Groups.Count + 2);
            foreach (var groupName in local.Groups)
            {
                releases.Add(_groups.RemoveAsync(groupName, connection));
            }
            local.Groups.Clear();
            if (local.UserId is { } userId)
            {
                releases.Add(_users.RemoveAsync(userId, connection));
            }
            if (local.Subscription is { } subscription)
            {
                releases.Add(UnsubscribeQuietlyAsync(subscription));
            }
            await Task.WhenAll(releases);
        }
        finally
        {
            local.Gate.Release();
        }
    }

    public override Task SendAllAsync(string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendAllCoreAsync(methodName, args, excluded: null);

    public override Task SendAllExceptAsync(string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default) =>
        SendAllCoreAsync(methodName, args, excludedConnectionIds);

    public override Task SendConnectionAsync(string connectionId, string methodName, object?[] args, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connectionId);
        var message = Invocation(methodName, args);
        if (_connections.TryGetValue(connectionId, out var local))
        {
            return local.Context.WriteAsync(message, cancellationToken).AsTask();
        }
        return PublishAsync(_channels.Connection(connectionId), Envelope(message, excluded: null));
    }

    public override Task SendConnectionsAsync(IReadOnlyList<string> connectionIds, string methodName, object?[] args, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connectionIds);
        var message = Invocation(methodName, args);
        var locals = new List<HubConnectionContext>(connectionIds.Count);
        var remotes = new List<string>();
        foreach (var connectionId in connectionIds)
        {
            ArgumentNullException.ThrowIfNull(connectionId, nameof(connectionIds));
            if (_connections.TryGetValue(connectionId, out var local))
            {
                locals.Add(local.Context);
            }
            else
            {
                remotes.Add(connectionId);
            }
        }
        var payload = remotes.Count > 0 ? Envelope(message, excluded: null) : null;
        foreach (var connection in locals)
        {
            Write(connection, message);
        }
        return payload is null
            ? Task.CompletedTask
            : Task.WhenAll(remotes.Select(connectionId => PublishAsync(_channels.Connection(connectionId), payload)));
    }

    public override Task SendGroupAsync(string groupName, string methodName, object?[] args, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(groupName);
        return SendToNamesAsync(_groups, _channels.Group, [groupName], Invocation(methodName, args), excluded: null);
    }

    public override Task SendGroupExceptAsync(string groupName, string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(groupName);
        return SendToNamesAsync(_groups, _channels.Group, [groupName], Invocation(methodName, args), excludedConnectionIds);
    }

    public override Task SendGroupsAsync(IReadOnlyList<string> groupNames, string methodName, object?[] args, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(groupNames);
        return SendToNamesAsync(_groups, _channels.Group, groupNames, Invocation(methodName, args), excluded: null);
    }

    public override Task SendUserAsync(string userId, string methodName, object?[] args, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userId);
        return SendToNamesAsync(_users, _channels.User, [userId], Invocation(methodName, args), excluded: null);
    }

    public override Task SendUsersAsync(IReadOnlyList<string> userIds, string methodName, object?[] args, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userIds);
        return SendToNamesAsync(_users, _channels.User, userIds, Invocation(methodName, args), excluded: null);
    }

    /// <summary>
    /// Adds a connection of any node to a group. For a connection on another node this returns once that node has
    /// subscribed to the group, so a send that follows reaches it.
    /// </summary>
    /// <exception cref="TimeoutException">The node holding the connection did not confirm within <see cref="RedisOptions.AckTimeout"/>.</exception>
    /// <exception cref="RedisBackplaneException">Redis is unreachable, or the owning node could not make the change.</exception>
    public override Task AddToGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default) =>
        ChangeMembershipAsync(connectionId, groupName, GroupAction.Add, cancellationToken);

    /// <summary>
    /// Removes a connection of any node from a group; a connection that is not a member, or that no node holds, is left
    /// alone at once.
    /// </summary>
    /// <exception cref="TimeoutException">The node holding the connection did not confirm within <see cref="RedisOptions.AckTimeout"/>.</exception>
    /// <exception cref="RedisBackplaneException">Redis is unreachable, or the owning node could not make the change.</exception>
    public override Task RemoveFromGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default) =>
        ChangeMembershipAsync(connectionId, groupName, GroupAction.Remove, cancellationToken);

    /// <summary>Client results (a server waiting for a client's answer) are not offered by this backplane.</summary>
    public override Task<T> InvokeConnectionAsync<T>(string connectionId, string methodName, object?[] args, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Client results are not supported by the LiveHelp Redis backplane.");

    public override Task SetConnectionResultAsync(string connectionId, CompletionMessage result) =>
        throw new NotSupportedException("Client results are not supported by the LiveHelp Redis backplane.");

    public override bool TryGetReturnType(string invocationId, [NotNullWhen(true)] out Type? type)
    {
        type = null;
        return false;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _redis.ConnectionChanged -= OnConnectionChanged;
        _acks.FailAll(new ObjectDisposedException(GetType().Name, "The Redis backplane is shutting down."));
        var subscriptions = new List<BusSubscription?> { _allSubscription, _nodeSubscription };
        subscriptions.AddRange(_connections.Values.Select(c => c.Subscription));
        subscriptions.AddRange(_groups.Snapshot().Select(e => e.Subscription));
        subscriptions.AddRange(_users.Snapshot().Select(e => e.Subscription));
        foreach (var subscription in subscriptions)
        {
            if (subscription is not null)
            {
                _bus.UnsubscribeNow(subscription);
            }
        }
    }

    private Task SendAllCoreAsync(string methodName, object?[] args, IReadOnlyList<string>? excluded)
    {
        var message = Invocation(methodName, args);
        var payload = Envelope(message, excluded);
        WriteLocal(message, excluded);
        return PublishAsync(_channels.All, payload);
    }

    private Task SendToNamesAsync(SubscriptionTable table, Func<string, string> channelOf, IReadOnlyList<string> names, SerializedHubMessage message, IReadOnlyList<string>? excluded)
    {
        if (names.Count == 0)
        {
            return Task.CompletedTask;
        }
        var payload = Envelope(message, excluded);
        var publishes = new Task[names.Count];
        for (var i = 0; i < names.Count; i++)
        {
            var name = names[i];
            ArgumentNullException.ThrowIfNull(name, nameof(names));
            if (table.TryGet(name, out var entry))
            {
                WriteMembers(entry, message, excluded);
            }
            publishes[i] = PublishAsync(channelOf(name), payload);
        }
        return Task.WhenAll(publishes);
    }

    private Task ChangeMembershipAsync(string connectionId, string groupName, GroupAction action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connectionId);
        ArgumentNullException.ThrowIfNull(groupName);
        return _connections.TryGetValue(connectionId, out var local)
            ? ChangeLocalMembershipAsync(local, groupName, action)
            : ChangeRemoteMembershipAsync(connectionId, groupName, action, cancellationToken);
    }

    /// <summary>Joins or leaves a group for a connection on this node; a connection closed meanwhile is left alone.</summary>
    private async Task ChangeLocalMembershipAsync(LocalConnection local, string groupName, GroupAction action)
    {
        await local.Gate.WaitAsync();
        try
        {
            if (local.IsClosed)
            {
                return;
            }
            if (action == GroupAction.Add && local.Groups.Add(groupName))
            {
                try
                {
                    await _groups.AddAsync(groupName, local.Context);
                }
                catch
                {
                    local.Groups.Remove(groupName);
                    throw;
                }
            }
            else if (action == GroupAction.Remove && local.Groups.Remove(groupName))
            {
                await _groups.RemoveAsync(groupName, local.Context);
            }
        }
        finally
        {
            local.Gate.Release();
        }
    }

    private async Task ChangeRemoteMembershipAsync(string connectionId, string groupName, GroupAction action, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureStartedAsync();
        var (ackId, confirmed) = _acks.Create();
        try
        {
            var owners = await PublishAsync(_channels.Connection(connectionId), BackplaneEnvelope.GroupCommand(NodeId, ackId, action, groupName));
            if (owners == 0)
            {
                // Only the node holding a connection listens on its channel: nobody heard, so it is connected nowhere.
                RedisBackplaneLog.NoOwner(_logger, connectionId, Describe(action), groupName);
                return;
            }
            AckStatus status;
            try
            {
                status = await confirmed.WaitAsync(_ackTimeout, cancellationToken);
            }
            catch (TimeoutException)
            {
                RedisBackplaneLog.AckTimedOut(_logger, Describe(action), connectionId, groupName, _ackTimeout);
                var change = action == GroupAction.Add ? $"adding connection '{connectionId}' to" : $"removing connection '{connectionId}' from";
                throw new TimeoutException(
                    $"No node confirmed {change} group '{groupName}' within {_ackTimeout.TotalMilliseconds:0} ms (RedisOptions.AckTimeout); " +
                    "the node holding that connection may be overloaded or cut off from Redis.");
            }
            if (status == AckStatus.Failed)
            {
                throw new RedisBackplaneException(
                    $"The node holding connection '{connectionId}' could not {Describe(action)} group '{groupName}'; see that node's log.");
            }
        }
        finally
        {
            _acks.Forget(ackId);
        }
    }

    private async Task ApplyGroupCommandAsync(LocalConnection local, GroupCommandEnvelope command)
    {
        var status = AckStatus.Done;
        try
        {
            await ChangeLocalMembershipAsync(local, command.GroupName, command.Action);
        }
        catch (Exception e)
        {
            RedisBackplaneLog.GroupCommandFailed(_logger, Describe(command.Action), local.ConnectionId, command.GroupName, e);
            status = AckStatus.Failed;
        }
        try
        {
            await _bus.PublishAsync(_channels.Node(command.Sender), BackplaneEnvelope.Ack(NodeId, command.AckId, status));
        }
        catch (RedisBackplaneException e)
        {
            RedisBackplaneLog.AckFailed(_logger, command.Sender, e);
        }
    }

    private async Task EnsureStartedAsync()
    {
        if (_started)
        {
            return;
        }
        await _startGate.WaitAsync();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_started)
            {
                return;
            }
            _allSubscription ??= await _bus.SubscribeAsync(_channels.All, OnAllMessage);
            _nodeSubscription ??= await _bus.SubscribeAsync(_channels.Node(NodeId), OnNodeMessage);
            _started = true;
            RedisBackplaneLog.Started(_logger, _hubName, NodeId, _redis.IsConnected);
        }
        finally
        {
            _startGate.Release();
        }
    }

    private void OnAllMessage(byte[] payload)
    {
        if (Read(payload) is InvocationEnvelope invocation && invocation.Sender != NodeId)
        {
            WriteLocal(invocation.Message, invocation.Excluded);
        }
    }

    private void OnGroupOrUserMessage(SubscriptionEntry entry, byte[] payload)
    {
        if (Read(payload) is InvocationEnvelope invocation && invocation.Sender != NodeId)
        {
            WriteMembers(entry, invocation.Message, invocation.Excluded);
        }
    }

    private void OnConnectionMessage(LocalConnection local, byte[] payload)
    {
        switch (Read(payload))
        {
            case InvocationEnvelope invocation when !BackplaneEnvelope.IsExcluded(invocation.Excluded, local.ConnectionId):
                Write(local.Context, invocation.Message);
                break;
            case GroupCommandEnvelope command:
                // Off the pub/sub callback: the change waits for this connection's gate and for Redis.
                _ = Task.Run(() => ApplyGroupCommandAsync(local, command));
                break;
        }
    }

    private void OnNodeMessage(byte[] payload)
    {
        if (Read(payload) is AckEnvelope ack)
        {
            _acks.Complete(ack.AckId, ack.Status);
        }
    }

    private Envelope? Read(byte[] payload)
    {
        try
        {
            return BackplaneEnvelope.Read(payload);
        }
        catch (InvalidDataException e)
        {
            RedisBackplaneLog.UnreadableMessage(_logger, e);
            return null;
        }
    }

    /// <summary>Writes to every connection on this node but the excluded ones (a send to all, from here or another node).</summary>
    private void WriteLocal(SerializedHubMessage message, IReadOnlyList<string>? excluded)
    {
        foreach (var (connectionId, local) in _connections)
        {
            if (!BackplaneEnvelope.IsExcluded(excluded, connectionId))
            {
                Write(local.Context, message);
            }
        }
    }

    /// <summary>Writes to this node's members of a group or user but the excluded ones.</summary>
    private void WriteMembers(SubscriptionEntry entry, SerializedHubMessage message, IReadOnlyList<string>? excluded)
    {
        foreach (var (connectionId, connection) in entry.Members)
        {
            if (!BackplaneEnvelope.IsExcluded(excluded, connectionId))
            {
                Write(connection, message);
            }
        }
    }

    /// <summary>Starts a write and returns at once; a failure is logged and concerns only that connection.</summary>
    private void Write(HubConnectionContext connection, SerializedHubMessage message)
    {
        ValueTask pending;
        try
        {
            pending = connection.WriteAsync(message);
        }
        catch (Exception e)
        {
            RedisBackplaneLog.WriteFailed(_logger, connection.ConnectionId, e);
            return;
        }
        if (pending.IsCompletedSuccessfully)
        {
            pending.GetAwaiter().GetResult();
            return;
        }
        _ = ObserveAsync(pending, connection.ConnectionId);
    }

    private async Task ObserveAsync(ValueTask pending, string connectionId)
    {
        try
        {
            await pending;
        }
        catch (Exception e)
        {
            RedisBackplaneLog.WriteFailed(_logger, connectionId, e);
        }
    }

    private async Task<long> PublishAsync(string channel, byte[] payload)
    {
        try
        {
            return await _bus.PublishAsync(channel, payload);
        }
        catch (RedisBackplaneException e)
        {
            RedisBackplaneLog.PublishFailed(_logger, channel, e);
            throw;
        }
    }

    private async Task UnsubscribeQuietlyAsync(BusSubscription subscription)
    {
        try
        {
            await _bus.UnsubscribeAsync(subscription);
            RedisBackplaneLog.Unsubscribed(_logger, subscription.Name);
        }
        catch (RedisBackplaneException e)
        {
            RedisBackplaneLog.UnsubscribeFailed(_logger, subscription.Name, e);
        }
    }

    private void OnConnectionChanged(object? sender, bool connected)
    {
        if (connected)
        {
            if (Interlocked.Exchange(ref _connected, 1) == 0)
            {
                RedisBackplaneLog.ConnectionRestored(_logger, _hubName);
            }
        }
        else if (Interlocked.Exchange(ref _connected, 0) == 1)
        {
            RedisBackplaneLog.ConnectionLost(_logger, _hubName);
        }
    }

    private byte[] Envelope(SerializedHubMessage message, IReadOnlyList<string>? excluded) =>
        BackplaneEnvelope.Invocation(NodeId, message, _protocols, excluded);

    private static SerializedHubMessage Invocation(string methodName, object?[] args)
    {
        ArgumentNullException.ThrowIfNull(methodName);
        return new SerializedHubMessage(new InvocationMessage(methodName, args));
    }


    private static string Describe(GroupAction action) => action == GroupAction.Add ? "join" : "leave";
}
