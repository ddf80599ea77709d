using System.Collections.Concurrent;
using System.Globalization;
using LiveHelp.Client;
using LiveHelp.Core;
using LiveHelp.Core.Contracts;
using LiveHelp.Core.Conversations;

namespace LiveHelp.Benchmarks.Scenarios;

/// <summary>
/// LiveHelp carrying the traffic: each pair is a customer (on the first node) in a conversation with an auto-accepting
/// agent (on the last node), through the real client SDK.
/// </summary>
internal sealed class LiveHelpRelay : IRelay
{
    private const int AgentCap = 50;

    private readonly Deployment _deployment;
    private readonly List<AgentClient> _agents = [];
    private readonly List<CustomerClient> _customers = [];
    private readonly ConcurrentDictionary<string, (AgentClient Agent, Action<Side, long>? Received)> _conversations = new(StringComparer.Ordinal);
    private int _failures;

    private LiveHelpRelay(Deployment deployment) => _deployment = deployment;

    public string Name => _deployment.Name;

    public IReadOnlyList<int> ServerProcessIds => [.. _deployment.Nodes.Select(n => n.ProcessId)];

    /// <summary>Sends the server refused or lost (the figures are only valid when this stays 0).</summary>
    public int Failures => Volatile.Read(ref _failures);

    public static async Task<LiveHelpRelay> StartAsync(int nodes, int pairs, CancellationToken ct)
    {
        var relay = new LiveHelpRelay(await Deployment.StartAsync(nodes, Bench.Settings));
        for (var i = 0; i < (pairs + AgentCap - 1) / AgentCap; i++)
        {
            var username = $"traffic{i}";
            await relay._deployment.CreateAgentAsync(username, AgentCap, autoAccept: true);
            var agent = new AgentClient(relay._deployment.Nodes[^1].Uri, Bench.ClientOptions);
            agent.Assigned += (_, view) => relay._conversations.TryAdd(view.Id, (agent, null));
            agent.MessageReceived += (_, message) => relay.AtAgent(message);
            await agent.StartAsync(username, username + "-password", ct);
            await agent.SetStatusAsync(AgentStatus.Online, ct);
            relay._agents.Add(agent);
        }
        return relay;
    }

    public async Task<IRelayPair> OpenPairAsync(int index, Action<Side, long> received, CancellationToken ct)
    {
        var customer = new CustomerClient(_deployment.Nodes[0].Uri, Bench.ClientOptions);
        _customers.Add(customer);
        var joined = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        customer.AgentJoined += (_, _) => joined.TrySetResult();
        customer.MessageReceived += (_, message) =>
        {
            if (message.Kind == MessageKind.Agent)
            {
                received(Side.Customer, long.Parse(message.Text, CultureInfo.InvariantCulture));
            }
        };
        await customer.StartAsync(cancellationToken: ct);
        var id = (await customer.RequestHelpAsync(new RequestHelpInput { Topic = "general" }, ct)).Conversation!.Id;
        await joined.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
        while (!_conversations.TryGetValue(id, out _))
        {
            await Task.Delay(10, ct);
        }
        var agent = _conversations[id].Agent;
        _conversations[id] = (agent, received);
        return new Pair(this, customer, agent, id);
    }

    public async ValueTask DisposeAsync()
    {
        await Bench.DisposeAllAsync(_customers);
        await Bench.DisposeAllAsync(_agents);
        await _deployment.DisposeAsync();
    }

    private void AtAgent(Message message)
    {
        if (message.Kind == MessageKind.Customer && _conversations.TryGetValue(message.ConversationId, out var entry) && entry.Received is { } received)
        {
            received(Side.Agent, long.Parse(message.Text, CultureInfo.InvariantCulture));
        }
    }

    private sealed class Pair(LiveHelpRelay relay, CustomerClient customer, AgentClient agent, string conversationId) : IRelayPair
    {
        public void Send(Side from, long stamp)
        {
            var text = stamp.ToString(CultureInfo.InvariantCulture);
            var sending = from == Side.Customer ? customer.SendMessageAsync(conversationId, text) : agent.SendMessageAsync(conversationId, text);
            _ = sending.ContinueWith(_ => Interlocked.Increment(ref relay._failures), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
