using LiveHelp.Client;
using LiveHelp.Core;
using LiveHelp.Core.Contracts;
using LiveHelp.Core.Conversations;

namespace LiveHelp.Cluster.Tests;

/// <summary>Whether a customer is gone is decided from every node's connections, and every node's clock acts on it once.</summary>
public sealed class CustomerPresenceClusterTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private Cluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await Cluster.StartAsync(settings: new Dictionary<string, string>
    {
        ["LiveHelp__Presence__ReconnectGrace"] = "00:00:00.5",
        ["LiveHelp__Presence__LeftNoticeAfter"] = "00:00:00.5",
        ["LiveHelp__Presence__CloseAfter"] = "00:00:01",
    });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_customer_with_a_tab_on_each_node_is_gone_only_when_both_close_and_their_conversation_gets_one_line_and_one_close()
    {
        await _cluster.CreateAgentAsync("ann", ["general"], maxConcurrent: 1);
        await using var ann = await AgentClient.SignInAsync(_cluster.Nodes[0].Uri, "ann", "ann-password", Cluster.ClientOptions);
        await ann.SetStatusAsync(AgentStatus.Online);
        var presence = new List<CustomerPresenceChanged>();
        ann.CustomerPresenceChanged += (_, p) => { lock (presence) { presence.Add(p); } };
        var closed = new TaskCompletionSource<ConversationClosed>(TaskCreationOptions.RunContinuationsAsynchronously);
        ann.ConversationClosed += (_, c) => closed.TrySetResult(c);
        var offered = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        ann.OfferReceived += (_, o) => offered.TrySetResult(o.ConversationId);

        var firstTab = await CustomerClient.ConnectAsync(_cluster.Nodes[0].Uri, options: Cluster.ClientOptions);
        var secondTab = await CustomerClient.ConnectWithTokenAsync(_cluster.Nodes[1].Uri, firstTab.Token!, Cluster.ClientOptions);
        var id = (await firstTab.RequestHelpAsync(new RequestHelpInput { Topic = "general" })).Conversation!.Id;
        await ann.AcceptOfferAsync(await offered.Task.WaitAsync(Patience));

        // The tab on ann's node closes; the one on the other node keeps the customer here, past the grace.
        await firstTab.DisposeAsync();
        await Task.Delay(TimeSpan.FromSeconds(2));
        lock (presence)
        {
            Assert.Empty(presence);
        }

        await secondTab.DisposeAsync();
        Assert.Equal(Roles.System, (await closed.Task.WaitAsync(Patience)).ClosedBy);

        // Both nodes' clocks ran all along: the line and the close each happened once.
        await Task.Delay(TimeSpan.FromSeconds(1));
        var transcript = (await ann.ResumeAsync(id, 0)).Messages.Select(m => m.Text).ToList();
        Assert.Single(transcript, t => t == "The customer left the chat.");
        Assert.Single(transcript, t => t == "The conversation was closed because the customer left.");
        lock (presence)
        {
            Assert.Equal([CustomerPresence.Gone], presence.Select(p => p.Presence));
        }
    }

    [Fact]
    public async Task A_customer_whose_node_dies_is_gone_for_the_agent_on_another_node()
    {
        await _cluster.CreateAgentAsync("ann", ["general"]);
        await using var ann = await AgentClient.SignInAsync(_cluster.Nodes[0].Uri, "ann", "ann-password", Cluster.ClientOptions);
        await ann.SetStatusAsync(AgentStatus.Online);
        var gone = new TaskCompletionSource<CustomerPresenceChanged>(TaskCreationOptions.RunContinuationsAsynchronously);
        ann.CustomerPresenceChanged += (_, p) =>
        {
            if (p.Presence == CustomerPresence.Gone)
            {
                gone.TrySetResult(p);
            }
        };
        var offered = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        ann.OfferReceived += (_, o) => offered.TrySetResult(o.ConversationId);
        await using var customer = await CustomerClient.ConnectAsync(_cluster.Nodes[1].Uri, options: Cluster.ClientOptions);
        var id = (await customer.RequestHelpAsync(new RequestHelpInput { Topic = "general" })).Conversation!.Id;
        await ann.AcceptOfferAsync(await offered.Task.WaitAsync(Patience));

        // No goodbye from the node: its connection count stays in the store, and only its silence tells.
        _cluster.Nodes[1].Kill();

        Assert.Equal(id, (await gone.Task.WaitAsync(Patience)).ConversationId);
    }
}
