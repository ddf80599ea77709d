using System.Diagnostics.Metrics;
using LiveHelp.Core;
using LiveHelp.Core.Routing;
using Microsoft.Extensions.Options;

namespace LiveHelp.Server.Telemetry;

/// <summary>
/// The "LiveHelp" meter: what an operator watches. Exported by OpenTelemetry (see <see cref="TelemetrySetup"/>);
/// nothing here knows the exporter.
/// </summary>
public sealed class LiveHelpMetrics
{
    public const string Name = "LiveHelp";

    /// <summary>How long a queue length read from the store is reused, so frequent scrapes cost one count a second.</summary>
    private static readonly TimeSpan QueueReadAge = TimeSpan.FromSeconds(1);

    private readonly Counter<long> _presses;
    private readonly Counter<long> _messages;
    private readonly Counter<long> _routingErrors;
    private readonly Counter<long> _refusals;
    private readonly UpDownCounter<long> _connections;
    private readonly Histogram<double> _pressToOffer;
    private readonly Histogram<double> _pressToAgent;
    private readonly KeyValuePair<string, object?> _node;
    private readonly IRoutingStore _routing;
    private readonly TimeProvider _clock;
    private readonly Lock _queueLock = new();
    private (long Length, DateTimeOffset ReadAt)? _queue;

    public LiveHelpMetrics(IMeterFactory meters, IRoutingStore routing, TimeProvider clock, IOptions<LiveHelpOptions> options)
    {
        // Every measurement names its node: pushed over OTLP, numbers from several nodes stay apart.
        _node = new("node", options.Value.Node.NodeId);
        _routing = routing;
        _clock = clock;
        var meter = meters.Create(Name);
        _presses = meter.CreateCounter<long>("livehelp.presses", "{press}", "Help requests that entered the queue");
        _messages = meter.CreateCounter<long>("livehelp.messages", "{message}", "Chat messages sent by customers and agents");
        _routingErrors = meter.CreateCounter<long>("livehelp.routing.errors", "{error}", "Routing clock ticks that failed");
        _refusals = meter.CreateCounter<long>("livehelp.hub.refusals", "{refusal}", "Hub calls refused with an error code");
        _connections = meter.CreateUpDownCounter<long>("livehelp.connections", "{connection}", "Hub connections open on this node");
        _pressToOffer = meter.CreateHistogram<double>("livehelp.press_to_offer.duration", "s", "From a press to an agent's offer");
        _pressToAgent = meter.CreateHistogram<double>("livehelp.press_to_agent.duration", "s", "From a press to an agent joining the conversation");
        meter.CreateObservableGauge("livehelp.queue.length", ReadQueueLength, "{request}", "Requests waiting in the queue, read from the shared store");
    }

    public void Pressed(HelpMode mode) => _presses.Add(1, _node, new KeyValuePair<string, object?>("mode", ModeTag(mode)));

    public void Offered(DateTimeOffset enqueuedAt) => _pressToOffer.Record(SecondsSince(enqueuedAt), _node);

    public void AgentJoined(DateTimeOffset enqueuedAt) => _pressToAgent.Record(SecondsSince(enqueuedAt), _node);

    public void MessageSent(bool byCustomer) => _messages.Add(1, _node, new KeyValuePair<string, object?>("sender", byCustomer ? "customer" : "agent"));

    public void RoutingFailed() => _routingErrors.Add(1, _node);

    public void Refused(string code) => _refusals.Add(1, _node, new KeyValuePair<string, object?>("code", code));

    public void Connected(string role) => _connections.Add(1, _node, new KeyValuePair<string, object?>("role", role));

    public void Disconnected(string role) => _connections.Add(-1, _node, new KeyValuePair<string, object?>("role", role));

    private static string ModeTag(HelpMode mode) => mode == HelpMode.Mayday ? "mayday" : "chat";

    private double SecondsSince(DateTimeOffset start) => Math.Max(0, (_clock.GetUtcNow() - start).TotalSeconds);

    /// <summary>
    /// The queue as the shared store has it, so every node reports the same length. A store out of reach reports
    /// nothing rather than a stale number.
    /// </summary>
    private IEnumerable<Measurement<long>> ReadQueueLength()
    {
        var now = _clock.GetUtcNow();
        lock (_queueLock)
        {
            if (_queue is { } cached && now - cached.ReadAt < QueueReadAge)
            {
                return [new Measurement<long>(cached.Length, _node)];
            }
        }
        try
        {
            // Observable instruments are read synchronously by the exporter; the count is one store query.
            var length = _routing.ListQueueAsync().GetAwaiter().GetResult().Count;
            lock (_queueLock)
            {
                _queue = (length, now);
            }
            return [new Measurement<long>(length, _node)];
        }
        catch (Exception e) when (Persistence.StoreFaults.IsTransient(e))
        {
            return [];
        }
    }
}
