using LiveHelp.Client;
using LiveHelp.Core;
using LiveHelp.Core.Contracts;
using LiveHelp.Core.Conversations;

namespace LiveHelp.Cluster.Tests;

/// <summary>
/// Node 1 reaches PostgreSQL through a proxy that can freeze its traffic the moment it has sent a message append: as if
/// the node were stopped mid-append, holding whatever it held in the database.
/// </summary>
public sealed class FrozenAppendClusterTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private FreezingPostgresProxy? _proxy;
    private Cluster _cluster = null!;

    private FreezingPostgresProxy Proxy => _proxy ?? throw new InvalidOperationException("node 1 has no proxy");

    public async Task InitializeAsync() => _cluster = await Cluster.StartAsync(
        nodeDatabase: (node, database) => node == 1 ? (_proxy = new FreezingPostgresProxy(database)).ConnectionString : database);

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        if (_proxy is not null)
        {
            await _proxy.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_node_frozen_mid_append_holds_up_no_message_of_that_conversation_on_the_other_node()
    {
        await _cluster.CreateAgentAsync("ann", ["general"]);
        await using var ann = await AgentClient.SignInAsync(_cluster.Nodes[1].Uri, "ann", "ann-password", Cluster.ClientOptions);
        await ann.SetStatusAsync(AgentStatus.Online);
        await using var customer = await CustomerClient.ConnectAsync(_cluster.Nodes[0].Uri, options: Cluster.ClientOptions);
        var offered = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        ann.OfferReceived += (_, offer) => offered.TrySetResult(offer.ConversationId);
        var customerHears = new System.Collections.Concurrent.ConcurrentQueue<Message>();
        customer.MessageReceived += (_, message) => customerHears.Enqueue(message);
        var id = (await customer.RequestHelpAsync(new RequestHelpInput { Topic = "general" })).Conversation!.Id;
        await ann.AcceptOfferAsync(await offered.Task.WaitAsync(Patience));
        await customer.SendMessageAsync(id, "before the freeze");

        Proxy.FreezeAfter("UPDATE conversations SET last_seq");
        var frozenSend = customer.SendMessageAsync(id, "sent as node 1 froze");
        await Proxy.Frozen.WaitAsync(Patience);

        // Ten seconds bound correctness, not speed: behind a lock the frozen node holds, this send never completes.
        var reply = await ann.SendMessageAsync(id, "answered on node 2").WaitAsync(TimeSpan.FromSeconds(10));

        var deadline = DateTime.UtcNow + Patience;
        while (!customerHears.Any(m => m.Seq == reply.Seq))
        {
            Assert.True(DateTime.UtcNow < deadline, "the customer never heard the answer");
            await Task.Delay(100);
        }
        Assert.Equal("answered on node 2", customerHears.Single(m => m.Seq == reply.Seq).Text);
        // What the frozen node sent is stored whole, before or after the answer: PostgreSQL may run either first.
        List<Message> stored;
        while ((stored = (await ann.ResumeAsync(id, 0)).Messages.Where(m => m.Kind is MessageKind.Customer or MessageKind.Agent).ToList()).Count < 3)
        {
            Assert.True(DateTime.UtcNow < deadline, "the frozen node's message was never stored");
            await Task.Delay(100);
        }
        Assert.Equal("before the freeze", stored[0].Text);
        Assert.Equal(["answered on node 2", "sent as node 1 froze"], stored.Skip(1).Select(m => m.Text).Order());
        Assert.False(frozenSend.IsCompleted);
    }
}
