using LiveHelp.Client;
using LiveHelp.Core;
using LiveHelp.Core.Contracts;

namespace LiveHelp.Cluster.Tests;

/// <summary>
/// Three nodes share one queue; customers on each node wait while agents on each node take them over time. What each
/// customer's connection receives, in order, is what its widget shows: a place after "agent joined" would put them back
/// in line while an agent talks to them, and a place that moves back with nobody requeued is a wrong place.
/// </summary>
public sealed class QueuePlacesClusterTests : IAsyncLifetime
{
    private const int Customers = 36;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly List<IAsyncDisposable> _clients = [];
    private Cluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await Cluster.StartAsync(nodes: 3, new Dictionary<string, string>
    {
        // Agents take their time over each offer here; an offer must not lapse while they do.
        ["LiveHelp__Routing__OfferTimeout"] = "00:01:00",
    });

    public async Task DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }
        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task Customers_on_three_nodes_never_get_a_place_after_their_agent_joined_nor_a_place_further_back()
    {
        var agents = new List<(AgentClient Client, System.Threading.Channels.Channel<string> Offers)>();
        for (var i = 0; i < 3; i++)
        {
            var name = $"agent{i}";
            await _cluster.CreateAgentAsync(name, ["general"], maxConcurrent: 2);
            var agent = Track(await AgentClient.SignInAsync(_cluster.Nodes[i].Uri, name, name + "-password", Cluster.ClientOptions));
            var offers = System.Threading.Channels.Channel.CreateUnbounded<string>();
            agent.OfferReceived += (_, o) => offers.Writer.TryWrite(o.ConversationId);
            await agent.SetStatusAsync(AgentStatus.Online);
            agents.Add((agent, offers));
        }

        // One customer after another, round the three nodes, each recording the raw events its connection receives.
        var customers = new List<(CustomerClient Client, string Id, List<object> Events, int FirstPosition)>();
        for (var i = 0; i < Customers; i++)
        {
            var customer = Track(await CustomerClient.ConnectAsync(_cluster.Nodes[i % 3].Uri, options: Cluster.ClientOptions));
            var events = new List<object>();
            customer.Connection.On<QueueUpdate>(nameof(IHelpClient.queueUpdate), u => Record(events, u));
            customer.Connection.On<AgentJoined>(nameof(IHelpClient.agentJoined), j => Record(events, j));
            var answer = await customer.RequestHelpAsync(new RequestHelpInput { Topic = "general", Details = $"customer {i}" });
            Assert.Equal(RequestHelpStatus.Queued, answer.Status);
            customers.Add((customer, answer.Conversation!.Id, events, answer.Place?.Position ?? 0));
        }

        // Each agent takes every offer after a short while and ends the chat a moment later, so the queue keeps moving
        // with steps made on all three nodes at once.
        using var stop = new CancellationTokenSource();
        var serving = agents.Select((a, i) => ServeAsync(a.Client, a.Offers.Reader, new Random(i), stop.Token)).ToList();
        var deadline = DateTime.UtcNow + Patience;
        while (customers.Any(c => !Snapshot(c.Events).OfType<AgentJoined>().Any()))
        {
            Assert.True(DateTime.UtcNow < deadline, "not every customer was joined by an agent in time");
            await Task.Delay(200);
        }
        // Places still under way reach the customers in this time, if any would come after "agent joined".
        await Task.Delay(TimeSpan.FromSeconds(2));
        await stop.CancelAsync();
        await Task.WhenAll(serving);

        foreach (var (_, id, recorded, firstPosition) in customers)
        {
            var events = Snapshot(recorded);
            var joined = events.FindIndex(e => e is AgentJoined);
            Assert.Equal(id, ((AgentJoined)events[joined]).ConversationId);
            Assert.DoesNotContain(events.Skip(joined + 1), e => e is QueueUpdate u && u.ConversationId == id);
            var positions = events.OfType<QueueUpdate>().Where(u => u.ConversationId == id).Select(u => u.Position).ToList();
            for (var i = 1; i < positions.Count; i++)
            {
                Assert.True(positions[i] <= positions[i - 1], $"{id} moved back from {positions[i - 1]} to {positions[i]}: {string.Join(", ", positions)}");
            }
            // Everyone who waited behind the first offers saw the line move for them, whichever node they are on.
            if (firstPosition > agents.Count * 2)
            {
                Assert.Contains(positions, p => p < firstPosition);
            }
        }
    }

    /// <summary>Accepts each offer after 50 to 300 ms and closes the conversation 100 to 400 ms later.</summary>
    private static async Task ServeAsync(AgentClient agent, System.Threading.Channels.ChannelReader<string> offers, Random random, CancellationToken stop)
    {
        var chats = new List<Task>();
        try
        {
            await foreach (var id in offers.ReadAllAsync(stop))
            {
                await Task.Delay(random.Next(50, 300), stop);
                var pause = random.Next(100, 400);
                try
                {
                    await agent.AcceptOfferAsync(id, stop);
                }
                catch (LiveHelpHubException e) when (e.Code == ErrorCodes.OfferGone)
                {
                    continue;
                }
                chats.Add(Task.Run(async () =>
                {
                    await Task.Delay(pause, CancellationToken.None);
                    await agent.CloseAsync(id, CancellationToken.None);
                }, CancellationToken.None));
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        await Task.WhenAll(chats);
    }

    private static void Record(List<object> events, object item)
    {
        lock (events)
        {
            events.Add(item);
        }
    }

    private static List<object> Snapshot(List<object> events)
    {
        lock (events)
        {
            return [.. events];
        }
    }

    private T Track<T>(T client)
        where T : IAsyncDisposable
    {
        _clients.Add(client);
        return client;
    }
}
