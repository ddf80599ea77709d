using System.Net.Http.Json;
using LiveHelp.Client;
using LiveHelp.Core;
using LiveHelp.Core.Contracts;
using LiveHelp.Core.Conversations;

namespace LiveHelp.Cluster.Tests;

/// <summary>Two real LiveHelp nodes behind HAProxy (deploy/haproxy.cfg), sharing Redis and PostgreSQL, driven by the .NET SDK.</summary>
public sealed class ClusterTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly List<IAsyncDisposable> _clients = [];
    private Cluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await Cluster.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }
        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task A_customer_on_one_node_and_agents_on_the_other_match_chat_transfer_and_close()
    {
        await _cluster.CreateAgentAsync("ann", ["general"]);
        await _cluster.CreateAgentAsync("bob", ["general"]);
        var ann = await AgentAsync(_cluster.Nodes[1].Uri, "ann");
        var bob = await AgentAsync(_cluster.Nodes[0].Uri, "bob");
        await bob.SetStatusAsync(AgentStatus.Away);
        var customer = Track(await CustomerClient.ConnectAsync(_cluster.Nodes[0].Uri, options: Cluster.ClientOptions));
        var offers = Events<OfferNotice>(h => ann.OfferReceived += h);
        var joined = Events<AgentJoined>(h => customer.AgentJoined += h);
        var typing = Events<TypingNotice>(h => ann.Typing += h);
        var read = Events<ReadNotice>(h => customer.Read += h);
        var annHears = Events<Message>(h => ann.MessageReceived += h);
        var customerHears = Events<Message>(h => customer.MessageReceived += h);

        var id = (await customer.RequestHelpAsync(new RequestHelpInput { Topic = "general", Details = "Across nodes" })).Conversation!.Id;
        Assert.Equal(id, (await offers.NextAsync()).ConversationId);
        await ann.AcceptOfferAsync(id);
        Assert.Equal("Ann", (await joined.NextAsync()).AgentName);

        await customer.TypingAsync(id, true);
        Assert.True((await typing.NextAsync()).IsTyping);
        var question = await customer.SendMessageAsync(id, "Hello from node 1");
        Assert.Equal(question.Seq, (await annHears.NextAsync(m => m.Kind == MessageKind.Customer)).Seq);
        await ann.MarkReadAsync(id, question.Seq);
        Assert.Equal(question.Seq, (await read.NextAsync()).Seq);
        await ann.SendMessageAsync(id, "Hello from node 2");
        Assert.Equal("Hello from node 2", (await customerHears.NextAsync(m => m.Kind == MessageKind.Agent)).Text);

        await bob.SetStatusAsync(AgentStatus.Online);
        var bobAssigned = Events<ConversationView>(h => bob.Assigned += h);
        await ann.TransferAsync(id, new TransferInput { ToAgentId = bob.AgentId, Note = "Bob knows this one" });
        Assert.Equal(id, (await bobAssigned.NextAsync()).Id);
        Assert.Equal("Bob", (await joined.NextAsync(j => j.AgentName == "Bob")).AgentName);
        Assert.Contains((await bob.ResumeAsync(id, 0)).Messages, m => m.Kind == MessageKind.Note && m.Text == "Bob knows this one");

        var closed = Events<ConversationClosed>(h => customer.ConversationClosed += h);
        await bob.CloseAsync(id);
        Assert.Equal(id, (await closed.NextAsync()).ConversationId);
    }

    [Fact]
    public async Task Killing_the_agents_node_mid_conversation_loses_nothing_and_shows_nothing_twice()
    {
        await _cluster.CreateAgentAsync("ann", ["general"]);
        var ann = await AgentAsync(_cluster.BalancerUri, "ann");
        var customer = Track(await CustomerClient.ConnectAsync(_cluster.BalancerUri, options: Cluster.ClientOptions));
        var offers = Events<OfferNotice>(h => ann.OfferReceived += h);
        var id = (await customer.RequestHelpAsync(new RequestHelpInput { Topic = "general" })).Conversation!.Id;
        await ann.AcceptOfferAsync((await offers.NextAsync()).ConversationId);
        var annNode = await NodeOfAgentAsync(ann.AgentId!);

        using var stop = new CancellationTokenSource();
        var customerSends = KeepSendingAsync(customer, id, "customer", stop.Token);
        var agentSends = KeepSendingAsync(ann, id, "agent", stop.Token);
        await Task.Delay(800);
        annNode.Kill();
        await Task.Delay(3000);
        stop.Cancel();
        var sent = (await customerSends).Concat(await agentSends).ToList();

        // Both sides reconnect through the balancer to the surviving node and Resume fills the gap.
        var stored = await StoredTranscriptAsync(customer.Token!, id);
        await Cluster.WaitUntilAsync(() => customer.Transcript(id).Count == stored.Count(m => m.Kind != MessageKind.Note) && ann.Transcript(id).Count == stored.Count);
        Assert.Equal(stored.Select(m => m.Seq), ann.Transcript(id).Select(m => m.Seq));
        Assert.Equal(stored.Select(m => m.Seq), customer.Transcript(id).Select(m => m.Seq));
        Assert.Equal(stored.Count, stored.Select(m => m.Seq).Distinct().Count());
        foreach (var text in sent)
        {
            Assert.Single(stored, m => m.Text == text);
        }
        Assert.Equal(Enumerable.Range(1, stored.Count).Select(i => (long)i), stored.Select(m => m.Seq));
    }

    [Fact]
    public async Task A_redis_restart_mid_conversation_recovers_by_itself_and_loses_nothing_silently()
    {
        await _cluster.CreateAgentAsync("ann", ["general"]);
        var ann = await AgentAsync(_cluster.Nodes[1].Uri, "ann");
        var customer = Track(await CustomerClient.ConnectAsync(_cluster.Nodes[0].Uri, options: Cluster.ClientOptions));
        var offers = Events<OfferNotice>(h => ann.OfferReceived += h);
        var id = (await customer.RequestHelpAsync(new RequestHelpInput { Topic = "general" })).Conversation!.Id;
        await ann.AcceptOfferAsync((await offers.NextAsync()).ConversationId);

        using var stop = new CancellationTokenSource();
        var customerSends = KeepSendingAsync(customer, id, "customer", stop.Token);
        await Task.Delay(500);
        await _cluster.Redis.RestartAsync();
        await Task.Delay(2500);
        stop.Cancel();
        var sent = await customerSends;

        // Every send that was accepted is stored; the agent ends up holding exactly the stored transcript.
        var stored = await StoredTranscriptAsync(customer.Token!, id);
        foreach (var text in sent)
        {
            Assert.Single(stored, m => m.Text == text);
        }
        var after = await customer.SendMessageAsync(id, "after the restart");
        var final = (await StoredTranscriptAsync(customer.Token!, id)).Select(m => m.Seq).ToList();
        Assert.Contains(after.Seq, final);

        // Whatever live delivery missed during the outage reaches the agent once the nodes tell clients to resync.
        await Cluster.WaitUntilAsync(() => ann.Transcript(id).Select(m => m.Seq).SequenceEqual(final));
    }

    [Fact]
    public async Task An_offer_made_by_a_node_that_dies_still_lapses_and_goes_to_the_next_agent()
    {
        await _cluster.CreateAgentAsync("ann", ["general"]);
        await _cluster.CreateAgentAsync("bob", ["general"]);
        var ann = await AgentAsync(_cluster.Nodes[1].Uri, "ann");
        var bob = await AgentAsync(_cluster.Nodes[1].Uri, "bob");
        await bob.SetStatusAsync(AgentStatus.Away);
        var customer = Track(await CustomerClient.ConnectAsync(_cluster.Nodes[0].Uri, options: Cluster.ClientOptions));
        var annOffers = Events<OfferNotice>(h => ann.OfferReceived += h);
        var bobOffers = Events<OfferNotice>(h => bob.OfferReceived += h);

        // Node 1 takes the request and makes the offer to Ann (on node 2), then dies before she answers.
        var id = (await customer.RequestHelpAsync(new RequestHelpInput { Topic = "general" })).Conversation!.Id;
        Assert.Equal(id, (await annOffers.NextAsync()).ConversationId);
        _cluster.Nodes[0].Kill();
        await bob.SetStatusAsync(AgentStatus.Online);

        Assert.Equal(id, (await bobOffers.NextAsync()).ConversationId);
    }

    [Fact]
    public async Task One_visitor_pressing_in_two_tabs_on_two_nodes_at_once_gets_one_conversation_in_the_queue()
    {
        // Ann is online but serves another topic: an offer she left to lapse (3 s here) would set her away, and the
        // presses after it would find nobody online.
        await _cluster.CreateAgentAsync("ann", ["billing"]);
        var ann = await AgentAsync(_cluster.Nodes[1].Uri, "ann");
        var api = new LiveHelpApi(_cluster.BalancerUri);

        // Several visitors, as one pair of presses may happen not to overlap.
        var conversations = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var token = (await api.CreateVisitorAsync(null, null)).Token;
            var tab1 = Track(await CustomerClient.ConnectWithTokenAsync(_cluster.Nodes[0].Uri, token, Cluster.ClientOptions));
            var tab2 = Track(await CustomerClient.ConnectWithTokenAsync(_cluster.Nodes[1].Uri, token, Cluster.ClientOptions));

            var answers = await Task.WhenAll(
                tab1.RequestHelpAsync(new RequestHelpInput { Topic = "general", Details = "tab 1" }),
                tab2.RequestHelpAsync(new RequestHelpInput { Topic = "general", Details = "tab 2" }));

            Assert.Equal(answers[0].Conversation!.Id, answers[1].Conversation!.Id);
            Assert.Equal([answers[0].Conversation!.Id], (await tab1.MyConversationsAsync()).Select(c => c.Id));
            conversations.Add(answers[0].Conversation!.Id);
        }

        // Each request waits in the queue once, so nobody would be offered a second copy of it.
        Assert.Equal(conversations.Order(), (await ann.GetQueueAsync()).Select(e => e.Conversation.Id).Order());
    }

    [Fact]
    public async Task With_one_node_frozen_new_connections_through_the_balancer_still_open()
    {
        var token = (await new LiveHelpApi(_cluster.BalancerUri).CreateVisitorAsync(null, null)).Token;
        _cluster.Nodes[0].Freeze();

        // The first connections reach the frozen node until the balancer's checks take it out; those attempts give
        // up after the client's connect timeout and go again. Ten seconds is a bound on correctness, not on speed.
        for (var i = 0; i < 20; i++)
        {
            await ConnectWithinAsync(token, Cluster.ClientOptions);
        }

        // Within four seconds (two failed checks of at most 1 s, half a second apart after one a second apart) the
        // balancer sends nothing more to the frozen node: attempts that may not try again all connect.
        await Task.Delay(TimeSpan.FromSeconds(4));
        var once = Cluster.ClientOptions;
        once.AutomaticReconnect = false;
        for (var i = 0; i < 10; i++)
        {
            await ConnectWithinAsync(token, once);
        }
    }

    [Fact]
    public async Task With_Redis_down_and_so_no_node_ready_the_balancer_still_serves_from_the_nodes()
    {
        using var http = new HttpClient { BaseAddress = _cluster.BalancerUri };
        _cluster.Redis.Kill();
        foreach (var node in _cluster.Nodes)
        {
            using var direct = new HttpClient { BaseAddress = node.Uri };
            await Cluster.WaitUntilAsync(async () => !(await direct.GetAsync("/readyz")).IsSuccessStatusCode);
        }

        // Within four seconds the balancer has seen both nodes unready; the widget's script still loads through it.
        await Task.Delay(TimeSpan.FromSeconds(4));
        var script = await http.GetAsync("/livehelp-widget.js");

        Assert.Equal(System.Net.HttpStatusCode.OK, script.StatusCode);
    }

    private async Task ConnectWithinAsync(string visitorToken, HubConnectionOptions options)
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var customer = await CustomerClient.ConnectWithTokenAsync(_cluster.BalancerUri, visitorToken, options, bound.Token);
        Assert.Empty(await customer.MyConversationsAsync(bound.Token));
    }

    private async Task<AgentClient> AgentAsync(Uri node, string username)
    {
        var agent = Track(await AgentClient.SignInAsync(node, username, username + "-password", Cluster.ClientOptions));
        await agent.SetStatusAsync(AgentStatus.Online);
        return agent;
    }

    /// <summary>Which node holds the agent's connection, as the nodes record it in the shared store.</summary>
    private async Task<Cluster.Node> NodeOfAgentAsync(string agentId)
    {
        await using var connection = new Npgsql.NpgsqlConnection(_cluster.Database);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            "SELECT node_id FROM routing_connections WHERE agent_id = @agent AND open_count > 0;", connection);
        command.Parameters.AddWithValue("agent", agentId);
        var nodeId = await command.ExecuteScalarAsync() as string;
        return _cluster.Nodes.FirstOrDefault(n => $"node{n.Number}" == nodeId)
            ?? throw new InvalidOperationException("the agent is connected to no node");
    }

    /// <summary>Sends numbered messages until stopped; a send refused during an outage is retried with the same id, as a client would.</summary>
    private static async Task<List<string>> KeepSendingAsync(ConversationClient client, string id, string who, CancellationToken stop)
    {
        var sent = new List<string>();
        for (var i = 1; !stop.IsCancellationRequested; i++)
        {
            var text = $"{who} {i}";
            var clientId = Guid.NewGuid().ToString("N");
            while (true)
            {
                try
                {
                    await client.SendMessageAsync(id, text, clientId);
                    sent.Add(text);
                    break;
                }
                catch (Exception e) when (e is LiveHelpConnectionException or LiveHelpHubException or InvalidOperationException)
                {
                    if (stop.IsCancellationRequested)
                    {
                        // The last send may or may not have been stored; Resume settles it either way.
                        return sent;
                    }
                    await Task.Delay(100, CancellationToken.None);
                }
            }
            await Task.Delay(150, CancellationToken.None);
        }
        return sent;
    }

    private async Task<IReadOnlyList<Message>> StoredTranscriptAsync(string token, string id)
    {
        using var http = new HttpClient { BaseAddress = _cluster.BalancerUri };
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        var json = new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web)
        {
            Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.CamelCase) },
        };
        return (await http.GetFromJsonAsync<ResumeResult>($"/api/conversations/{id}/transcript", json))!.Messages;
    }

    private T Track<T>(T client)
        where T : IAsyncDisposable
    {
        _clients.Add(client);
        return client;
    }

    private static EventQueue<T> Events<T>(Action<EventHandler<T>> subscribe) => new(subscribe);

    private sealed class EventQueue<T>
    {
        private readonly System.Threading.Channels.Channel<T> _items = System.Threading.Channels.Channel.CreateUnbounded<T>();

        public EventQueue(Action<EventHandler<T>> subscribe) => subscribe((_, item) => _items.Writer.TryWrite(item));

        public async Task<T> NextAsync(Func<T, bool>? match = null)
        {
            using var timeout = new CancellationTokenSource(Patience);
            while (true)
            {
                var item = await _items.Reader.ReadAsync(timeout.Token);
                if (match is null || match(item))
                {
                    return item;
                }
            }
        }
    }
}
