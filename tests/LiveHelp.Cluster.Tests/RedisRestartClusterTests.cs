using System.Net.Http.Json;
using System.Text.Json;
using LiveHelp.Client;
using LiveHelp.Core;
using LiveHelp.Core.Contracts;
using LiveHelp.Core.Conversations;

namespace LiveHelp.Cluster.Tests;

/// <summary>Redis restarting empty under two nodes, with a grace period short enough to end during the test.</summary>
public sealed class RedisRestartClusterTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly List<IAsyncDisposable> _clients = [];
    private Cluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await Cluster.StartAsync(settings: new Dictionary<string, string>
    {
        ["LiveHelp__Routing__AgentGracePeriod"] = "00:00:02",
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
    public async Task Redis_restarting_empty_keeps_every_agent_online_with_their_conversations_and_the_queue_moving()
    {
        await _cluster.CreateAgentAsync("ann", ["general"], maxConcurrent: 1);
        await _cluster.CreateAgentAsync("bob", ["general"], maxConcurrent: 1);
        var ann = await AgentAsync(_cluster.Nodes[1].Uri, "ann", AgentStatus.Online);
        var bob = await AgentAsync(_cluster.Nodes[0].Uri, "bob", AgentStatus.Away);
        var annOffers = Offers(ann);
        var bobOffers = Offers(bob);
        var first = await CustomerAsync();
        var firstId = (await first.RequestHelpAsync(new RequestHelpInput { Topic = "general" })).Conversation!.Id;
        await ann.AcceptOfferAsync(await annOffers.ReadAsync(firstId));
        await bob.SetStatusAsync(AgentStatus.Online);
        var second = await CustomerAsync();
        var secondId = (await second.RequestHelpAsync(new RequestHelpInput { Topic = "general" })).Conversation!.Id;
        await bob.AcceptOfferAsync(await bobOffers.ReadAsync(secondId));
        var waiting = await CustomerAsync();
        var waitingAnswer = await waiting.RequestHelpAsync(new RequestHelpInput { Topic = "general" });
        Assert.Equal(RequestHelpStatus.Queued, waitingAnswer.Status);

        await _cluster.Redis.RestartAsync();
        // Longer than the grace period, and than a few heartbeats and clock ticks.
        await Task.Delay(TimeSpan.FromSeconds(5));

        foreach (var agent in await AgentRowsAsync())
        {
            Assert.Equal("online", agent.GetProperty("status").GetString());
            Assert.True(agent.GetProperty("connected").GetBoolean());
            Assert.Equal(1, agent.GetProperty("load").GetInt32());
        }
        var held = Assert.Single(await first.MyConversationsAsync(), c => c.Id == firstId);
        Assert.Equal(ConversationStatus.Active, held.Status);
        Assert.Equal(ann.AgentId, held.AgentId);

        // Bob's room goes to the customer who was waiting before the restart.
        await bob.CloseAsync(secondId);
        await bobOffers.ReadAsync(waitingAnswer.Conversation!.Id);

        // And a customer pressing now finds an agent.
        await ann.CloseAsync(firstId);
        var late = await CustomerAsync();
        var lateAnswer = await late.RequestHelpAsync(new RequestHelpInput { Topic = "general" });
        Assert.NotEqual(RequestHelpStatus.NoAgentsOnline, lateAnswer.Status);
        await annOffers.ReadAsync(lateAnswer.Conversation!.Id);
    }

    private async Task<AgentClient> AgentAsync(Uri node, string username, AgentStatus status)
    {
        var agent = Track(await AgentClient.SignInAsync(node, username, username + "-password", Cluster.ClientOptions));
        await agent.SetStatusAsync(status);
        return agent;
    }

    private async Task<CustomerClient> CustomerAsync() =>
        Track(await CustomerClient.ConnectAsync(_cluster.BalancerUri, options: Cluster.ClientOptions));

    private static OfferQueue Offers(AgentClient agent)
    {
        var offers = new OfferQueue();
        agent.OfferReceived += (_, o) => offers.Items.Writer.TryWrite(o.ConversationId);
        return offers;
    }

    private async Task<List<JsonElement>> AgentRowsAsync()
    {
        using var http = await _cluster.AdminAsync();
        return (await http.GetFromJsonAsync<List<JsonElement>>("/api/agents"))!
            .Where(a => a.GetProperty("username").GetString() is "ann" or "bob").ToList();
    }

    private T Track<T>(T client)
        where T : IAsyncDisposable
    {
        _clients.Add(client);
        return client;
    }

    private sealed class OfferQueue
    {
        public System.Threading.Channels.Channel<string> Items { get; } = System.Threading.Channels.Channel.CreateUnbounded<string>();

        /// <summary>Waits for an offer of <paramref name="conversationId"/>, skipping others; throws when none comes in time.</summary>
        public async Task<string> ReadAsync(string conversationId)
        {
            using var timeout = new CancellationTokenSource(Patience);
            while (await Items.Reader.ReadAsync(timeout.Token) is var id && id != conversationId)
            {
            }
            return conversationId;
        }
    }
}
