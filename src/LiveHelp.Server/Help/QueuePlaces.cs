using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using LiveHelp.Core.Contracts;
using LiveHelp.Core.Conversations;
using LiveHelp.Core.Routing;
using LiveHelp.Redis;
using LiveHelp.Server.Hubs;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace LiveHelp.Server.Help;

/// <summary>
/// Tells waiting customers their places, and that an agent joined, from the node that holds their connection. A change
/// to the queue reaches every node (through Redis when there are several); each node works out the places from one
/// read of the queue per round and sends them to its own customers only. Rounds and "agent joined" take turns on one
/// loop: a place read before the join goes out before it, and a read that overlapped the join leaves that conversation out.
/// A round looks up connections only for the customers in the queue, so its cost follows the queue, not everyone connected.
/// </summary>
public sealed class QueuePlaces : BackgroundService
{
    private readonly Router _router;
    private readonly IConversationStore _store;
    private readonly IHubContext<HelpHub, IHelpClient> _hub;
    private readonly RedisConnection? _redis;
    private readonly ILogger<QueuePlaces> _log;
    private readonly RedisChannel _channel;

    // Tells this node's own bulletins, which Redis also delivers to it, from the others'.
    private readonly string _node = Guid.NewGuid().ToString("N");

    // This node's customer connections, by visitor, and how many there are (both under the lock on _connections).
    private readonly Dictionary<string, HashSet<string>> _connections = new(StringComparer.Ordinal);
    private int _connectionCount;

    private readonly ConcurrentQueue<Joined> _joined = new();
    private readonly ConcurrentQueue<(string ConversationId, TaskCompletionSource<QueueUpdate?> Answer)> _asked = new();
    private readonly ConcurrentQueue<string> _ownerChanged = new();
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    // 0: no round wanted; 1: wanted (another node changed the queue, a customer connected); 2: this node changed the queue.
    private int _roundWanted;
    private double _averageHandleSeconds;

    // Only the loop touches these: whose each queued conversation is, what each of its connections was last told, the last read.
    private readonly Dictionary<string, Owner> _owners = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, QueueUpdate>> _told = new(StringComparer.Ordinal);
    private IReadOnlyList<QueuePlace> _lastRead = [];

    public QueuePlaces(
        Router router, IConversationStore store, IHubContext<HelpHub, IHelpClient> hub, IOptions<LiveHelpOptions> options, ILogger<QueuePlaces> log,
        RedisConnection? redis = null)
    {
        _router = router;
        _store = store;
        _hub = hub;
        _redis = redis;
        _log = log;
        _channel = RedisChannel.Literal($"{redis?.Prefix}:queue-places");
        _averageHandleSeconds = options.Value.Routing.DefaultHandleTime.TotalSeconds;
    }

    public TimeSpan AverageHandleTime => TimeSpan.FromSeconds(Volatile.Read(ref _averageHandleSeconds));

    /// <summary>A conversation ended after this long with an agent: the estimates follow the recent handle times.</summary>
    public void HandleTimeObserved(TimeSpan handle) =>
        Volatile.Write(ref _averageHandleSeconds, (0.8 * Volatile.Read(ref _averageHandleSeconds)) + (0.2 * handle.TotalSeconds));

    /// <summary>The queue changed on this node: every node's customers learn their new places soon, without holding up the step.</summary>
    public void QueueChanged() => WantRound(2);

    /// <summary>A customer connected to this node: if they are waiting, they learn their place at once.</summary>
    public async Task CustomerConnectedAsync(string visitorId, string connectionId)
    {
        // Listed before the look-up: a press in another tab after it is stored reaches this connection in its round.
        lock (_connections)
        {
            if (!_connections.TryGetValue(visitorId, out var ids))
            {
                _connections[visitorId] = ids = new HashSet<string>(StringComparer.Ordinal);
            }
            if (ids.Add(connectionId))
            {
                _connectionCount++;
            }
        }
        var waiting = false;
        try
        {
            // The visitor may have just become a verified user, which moved their conversations to them.
            foreach (var c in await _store.ListConversationsByVisitorAsync(visitorId))
            {
                if (c.Status == ConversationStatus.Queued)
                {
                    _ownerChanged.Enqueue(c.Id);
                    waiting = true;
                }
            }
        }
        catch
        {
            // A connection whose connect fails never disconnects.
            CustomerDisconnected(visitorId, connectionId);
            throw;
        }
        // Only a waiting customer has a place to learn: customers connecting before they press cost no round.
        if (waiting)
        {
            WantRound(1);
        }
    }

    public void CustomerDisconnected(string visitorId, string connectionId)
    {
        lock (_connections)
        {
            if (_connections.TryGetValue(visitorId, out var ids) && ids.Remove(connectionId))
            {
                _connectionCount--;
                if (ids.Count == 0)
                {
                    _connections.Remove(visitorId);
                }
            }
        }
    }

    /// <summary>An agent took the conversation out of the queue: whichever node holds the customer tells them.</summary>
    public async Task AgentJoinedAsync(Conversation assigned)
    {
        var joined = new Joined(assigned.VisitorId, new AgentJoined(assigned.Id, assigned.AgentId!, assigned.AgentName ?? "", Stint(assigned.EnqueuedAt)));
        Heard(joined);
        if (_redis is not null)
        {
            try
            {
                await _redis.Subscriber.PublishAsync(_channel, JsonSerializer.Serialize(new Bulletin(_node, joined)));
            }
            catch (RedisException e)
            {
                // The assignment is stored; a customer on another node sees it when their client resyncs after the outage.
                Log.DeliveryDeferred(_log, assigned.Id, nameof(IHelpClient.agentJoined), e);
            }
        }
    }

    /// <summary>The conversation's place from a read made after this call, also sent to the customer's connections here first.</summary>
    public async Task<QueueUpdate?> PlaceOfAsync(string conversationId)
    {
        var answer = new TaskCompletionSource<QueueUpdate?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _asked.Enqueue((conversationId, answer));
        WantRound(1);
        return await answer.Task;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _ = SubscribeAsync(stoppingToken);
        await foreach (var _ in _wake.Reader.ReadAllAsync(stoppingToken))
        {
            var wanted = Interlocked.Exchange(ref _roundWanted, 0);
            try
            {
                await TellJoinedAsync();
                if (wanted > 0)
                {
                    await RoundAsync(changedHere: wanted == 2);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.PlacesFailed(_log, e);
                while (_asked.TryDequeue(out var asked))
                {
                    asked.Answer.TrySetResult(null);
                }
            }
        }
    }

    private void WantRound(int kind)
    {
        int current;
        do
        {
            current = Volatile.Read(ref _roundWanted);
        }
        while (current < kind && Interlocked.CompareExchange(ref _roundWanted, kind, current) != current);
        _wake.Writer.TryWrite(true);
    }

    private void Heard(Joined joined)
    {
        _joined.Enqueue(joined);
        _wake.Writer.TryWrite(true);
    }

    /// <summary>Listens for the other nodes' bulletins; Redis may be down when the node starts, so this keeps trying.</summary>
    private async Task SubscribeAsync(CancellationToken stoppingToken)
    {
        while (_redis is not null && !stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _redis.Subscriber.SubscribeAsync(_channel, (_, value) => Heard(JsonSerializer.Deserialize<Bulletin>(value.ToString())));
                return;
            }
            catch (RedisException)
            {
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private void Heard(Bulletin? bulletin)
    {
        if (bulletin is null || bulletin.Node == _node)
        {
            return;
        }
        if (bulletin.Joined is { } joined)
        {
            Heard(joined);
        }
        else
        {
            WantRound(1);
        }
    }

    /// <summary>Sends "agent joined" to this node's connections of each customer an agent took; returns those conversations.</summary>
    private async Task<HashSet<string>> TellJoinedAsync()
    {
        var taken = new HashSet<string>(StringComparer.Ordinal);
        var sends = new List<Task>();
        while (_joined.TryDequeue(out var joined))
        {
            var id = joined.Notice.ConversationId;
            taken.Add(id);
            _owners.Remove(id);
            _told.Remove(id);
            foreach (var connection in ConnectionsOf(joined.VisitorId))
            {
                sends.Add(_hub.Clients.Client(connection).agentJoined(joined.Notice));
            }
        }
        await Task.WhenAll(sends);
        return taken;
    }

    private async Task RoundAsync(bool changedHere)
    {
        var asked = new List<(string ConversationId, TaskCompletionSource<QueueUpdate?> Answer)>();
        while (_asked.TryDequeue(out var a))
        {
            asked.Add(a);
        }
        while (_ownerChanged.TryDequeue(out var id))
        {
            _owners.Remove(id);
        }
        // Another node's change matters here only for customers here; a change made here may need telling the others.
        bool nobodyHere;
        lock (_connections)
        {
            nobodyHere = _connectionCount == 0;
        }
        if (nobodyHere && asked.Count == 0 && (!changedHere || _redis is null))
        {
            return;
        }

        var places = await _router.PlacesAsync(AverageHandleTime);
        // An agent who joined while the queue was read makes that conversation's place in this read stale.
        var taken = await TellJoinedAsync();
        if (changedHere && _redis is not null && !places.SequenceEqual(_lastRead))
        {
            await _redis.Subscriber.PublishAsync(_channel, JsonSerializer.Serialize(new Bulletin(_node, null)), CommandFlags.FireAndForget);
        }
        _lastRead = places;

        var queued = places.Select(p => p.RequestId).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in _owners.Keys.Where(id => !queued.Contains(id)).ToList())
        {
            _owners.Remove(gone);
        }
        foreach (var gone in _told.Keys.Where(id => !queued.Contains(id)).ToList())
        {
            _told.Remove(gone);
        }

        var wanted = asked.Select(a => a.ConversationId).ToHashSet(StringComparer.Ordinal);
        var answers = new Dictionary<string, QueueUpdate>(StringComparer.Ordinal);
        var sends = new List<Task>();
        foreach (var place in places)
        {
            if (taken.Contains(place.RequestId) || (nobodyHere && !wanted.Contains(place.RequestId))
                || await OwnerAsync(place.RequestId) is not { } owner)
            {
                _told.Remove(place.RequestId);
                continue;
            }
            var update = place.NobodyOnDuty
                ? new QueueUpdate(place.RequestId, null, null, owner.QueuedSince, NobodyOnline: true)
                : new QueueUpdate(place.RequestId, place.Position, place.EstimatedWaitSeconds, owner.QueuedSince);
            answers[place.RequestId] = update;
            // Looked up after the read: a connection that came during it gets this read's place, and any later join after it.
            var connections = ConnectionsOf(owner.VisitorId);
            if (connections.Length == 0)
            {
                _told.Remove(place.RequestId);
                continue;
            }
            if (!_told.TryGetValue(place.RequestId, out var told))
            {
                _told[place.RequestId] = told = new Dictionary<string, QueueUpdate>(StringComparer.Ordinal);
            }
            foreach (var connection in connections)
            {
                if (told.GetValueOrDefault(connection) != update)
                {
                    told[connection] = update;
                    sends.Add(_hub.Clients.Client(connection).queueUpdate(update));
                }
            }
            if (told.Count > connections.Length)
            {
                // A tab closed since the last round.
                foreach (var gone in told.Keys.Except(connections, StringComparer.Ordinal).ToList())
                {
                    told.Remove(gone);
                }
            }
        }
        await Task.WhenAll(sends);
        foreach (var (id, answer) in asked)
        {
            answer.TrySetResult(answers.GetValueOrDefault(id));
        }
    }

    /// <summary>Whose the queued conversation is, read once per stay in the queue; null when the store no longer has it waiting.</summary>
    private async Task<Owner?> OwnerAsync(string conversationId)
    {
        if (_owners.TryGetValue(conversationId, out var owner))
        {
            return owner;
        }
        if (await _store.FindConversationAsync(conversationId) is not { Status: ConversationStatus.Queued } c)
        {
            return null;
        }
        return _owners[conversationId] = new Owner(c.VisitorId, Stint(c.EnqueuedAt));
    }

    private string[] ConnectionsOf(string visitorId)
    {
        lock (_connections)
        {
            return _connections.TryGetValue(visitorId, out var ids) ? [.. ids] : [];
        }
    }

    /// <summary>Whole milliseconds: what every store and a browser's Date keep alike.</summary>
    private static DateTimeOffset Stint(DateTimeOffset enqueuedAt) =>
        new(enqueuedAt.UtcTicks - (enqueuedAt.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);

    private sealed record Owner(string VisitorId, DateTimeOffset QueuedSince);

    private sealed record Joined(string VisitorId, AgentJoined Notice);

    /// <summary>What one node tells the others: an agent joined (<see cref="Joined"/>), or else the queue changed.</summary>
    private sealed record Bulletin(string Node, Joined? Joined);
}
