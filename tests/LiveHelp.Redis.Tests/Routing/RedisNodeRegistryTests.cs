using LiveHelp.Core;
using LiveHelp.Core.Routing;
using LiveHelp.Core.Tests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace LiveHelp.Redis.Tests.Routing;

/// <summary>Nodes heartbeat; when one dies, a survivor disconnects its agents once, and any node's router finishes the job.</summary>
public sealed class RedisNodeRegistryTests(RoutingRedisFixture redis) : IClassFixture<RoutingRedisFixture>, IAsyncLifetime
{
    private static readonly TimeSpan ShortTtl = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan LongTtl = TimeSpan.FromSeconds(30);

    private readonly RoutingConnections _connections = new(redis);
    private readonly ManualClock _clock = new();
    private readonly RoutingOptions _routing = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _connections.DisposeAsync();

    private sealed record Node(RedisRoutingStore Store, RedisNodeRegistry Registry, Router Router);

    private async Task<Node> NodeAsync(string nodeId, TimeSpan ttl)
    {
        var connection = await _connections.OpenAsync();
        var store = new RedisRoutingStore(connection, nodeId);
        var options = new RedisNodeOptions { NodeId = nodeId, HeartbeatTtl = ttl, HeartbeatInterval = ttl / 3 };
        var registry = new RedisNodeRegistry(store, options, _clock);
        await registry.HeartbeatAsync();
        return new Node(store, registry, new Router(store, _routing, _clock));
    }

    private static Task AgentAsync(Node node, string agentId, int connections = 1) => AgentAsync(node.Store, agentId, connections);

    private static async Task AgentAsync(RedisRoutingStore store, string agentId, int connections = 1)
    {
        await store.UpsertProfileAsync(new AgentProfile(agentId, agentId, ["billing"], 3, false));
        await store.SetStatusAsync(agentId, AgentStatus.Online);
        for (var i = 0; i < connections; i++)
        {
            await store.ConnectAsync(agentId);
        }
    }

    private static async Task ConnectAsync(Node node, string agentId, int connections = 1)
    {
        for (var i = 0; i < connections; i++)
        {
            await node.Store.ConnectAsync(agentId);
        }
    }

    private static async Task<AgentSeat> SeatAsync(Node node, string agentId) => Expect.Found(await node.Store.FindSeatAsync(agentId));

    /// <summary>Waits, in real time, until Redis has let the silent node's heartbeat expire.</summary>
    private static async Task DeadAsync(Node observer, string nodeId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((await observer.Registry.ListLiveNodesAsync()).Contains(nodeId))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{nodeId}'s heartbeat never expired");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task A_dead_nodes_agent_is_disconnected_by_a_survivor_and_lost_after_the_grace_period()
    {
        var a = await NodeAsync("a", ShortTtl);
        var b = await NodeAsync("b", LongTtl);
        await AgentAsync(a, "ann", connections: 2);
        await AgentAsync(b, "bob");
        await a.Router.EnqueueAsync("c1", "billing", HelpMode.Chat, _clock.GetUtcNow(), requeued: false);
        var offer = Assert.IsType<OfferMade>(Assert.Single(await a.Router.MatchAsync())).Offer;
        Assert.Equal("ann", offer.AgentId);
        Assert.True(await a.Router.AcceptAsync("c1", "ann"));

        await a.Registry.HeartbeatAsync();
        Assert.Empty(await b.Registry.ReapDeadNodesAsync(_clock.GetUtcNow()));

        await DeadAsync(b, "a");
        _clock.Advance(TimeSpan.FromSeconds(5));
        var reapedAt = _clock.GetUtcNow();
        var dead = Assert.Single(await b.Registry.ReapDeadNodesAsync(reapedAt));

        Assert.Equal("a", dead.NodeId);
        Assert.Equal(["ann"], dead.AgentIds);
        var ann = await SeatAsync(b, "ann");
        Assert.Equal(0, ann.Connections);
        Assert.Equal(reapedAt, ann.DisconnectedAt);
        Assert.Equal(["c1"], ann.Conversations);
        var bob = await SeatAsync(b, "bob");
        Assert.Equal(1, bob.Connections);
        Assert.Null(bob.DisconnectedAt);

        _clock.Advance(_routing.AgentGracePeriod - TimeSpan.FromSeconds(1));
        Assert.Empty(await b.Router.ExpireAsync());
        _clock.Advance(TimeSpan.FromSeconds(1));
        var lost = Assert.IsType<AgentLost>(Assert.Single(await b.Router.ExpireAsync()));

        Assert.Equal("ann", lost.AgentId);
        Assert.Equal(["c1"], lost.ConversationIds);
        ann = await SeatAsync(b, "ann");
        Assert.Equal(AgentStatus.Offline, ann.Status);
        Assert.Empty(ann.Conversations);
        Assert.Equal(AgentStatus.Online, (await SeatAsync(b, "bob")).Status);
    }

    [Fact]
    public async Task Several_survivors_reaping_at_once_take_a_dead_nodes_connections_away_exactly_once()
    {
        var a = await NodeAsync("a", ShortTtl);
        var survivors = new List<Node>();
        for (var i = 0; i < 6; i++)
        {
            survivors.Add(await NodeAsync($"s{i}", LongTtl));
        }
        await AgentAsync(a, "ann", connections: 2);
        await ConnectAsync(survivors[0], "ann");
        await AgentAsync(a, "cat", connections: 3);
        Assert.Equal(3, (await SeatAsync(a, "ann")).Connections);

        await DeadAsync(survivors[0], "a");
        var results = await Race.RunAsync(survivors.Count, i => survivors[i].Registry.ReapDeadNodesAsync(_clock.GetUtcNow()));

        var dead = Assert.Single(results.SelectMany(r => r));
        Assert.Equal("a", dead.NodeId);
        Assert.Equal(["ann", "cat"], dead.AgentIds);
        var ann = await SeatAsync(survivors[1], "ann");
        Assert.Equal(1, ann.Connections);
        Assert.Null(ann.DisconnectedAt);
        var cat = await SeatAsync(survivors[1], "cat");
        Assert.Equal(0, cat.Connections);
        Assert.Equal(_clock.GetUtcNow(), cat.DisconnectedAt);
        Assert.Empty(await survivors[2].Registry.ReapDeadNodesAsync(_clock.GetUtcNow()));
        Assert.Equal(1, (await SeatAsync(survivors[1], "ann")).Connections);
    }

    [Fact]
    public async Task A_live_node_is_never_reaped()
    {
        var a = await NodeAsync("a", TimeSpan.FromSeconds(2));
        var b = await NodeAsync("b", LongTtl);
        await AgentAsync(a, "ann");

        for (var i = 0; i < 6; i++)
        {
            await Task.Delay(500);
            await a.Registry.HeartbeatAsync();
            Assert.Empty(await b.Registry.ReapDeadNodesAsync(_clock.GetUtcNow()));
        }

        Assert.Equal(1, (await SeatAsync(b, "ann")).Connections);
    }

    [Fact]
    public async Task A_node_never_reaps_itself()
    {
        var a = await NodeAsync("a", ShortTtl);
        await AgentAsync(a, "ann");

        await DeadAsync(a, "a");

        Assert.Empty(await a.Registry.ReapDeadNodesAsync(_clock.GetUtcNow()));
        Assert.Equal(1, (await SeatAsync(a, "ann")).Connections);
    }

    [Fact]
    public async Task A_late_disconnect_on_a_reaped_node_takes_nothing_from_the_agents_connections_elsewhere()
    {
        var a = await NodeAsync("a", ShortTtl);
        var b = await NodeAsync("b", LongTtl);
        await AgentAsync(a, "ann");
        await ConnectAsync(b, "ann");
        await DeadAsync(b, "a");
        Assert.Single(await b.Registry.ReapDeadNodesAsync(_clock.GetUtcNow()));
        Assert.Equal(1, (await SeatAsync(b, "ann")).Connections);

        await a.Store.DisconnectAsync("ann", _clock.GetUtcNow());

        var ann = await SeatAsync(b, "ann");
        Assert.Equal(1, ann.Connections);
        Assert.Null(ann.DisconnectedAt);
        Assert.True(ann.IsAvailable);
    }

    [Fact]
    public async Task A_node_taken_for_dead_while_only_slow_records_its_connections_again_at_its_next_heartbeat()
    {
        var a = await NodeAsync("a", ShortTtl);
        var b = await NodeAsync("b", LongTtl);
        await AgentAsync(a, "ann", connections: 2);
        await DeadAsync(b, "a");
        Assert.Single(await b.Registry.ReapDeadNodesAsync(_clock.GetUtcNow()));
        Assert.Equal(0, (await SeatAsync(b, "ann")).Connections);
        // While presumed dead, it still takes a connection and loses none.
        await AgentAsync(a, "bob");

        await a.Registry.HeartbeatAsync();

        var ann = await SeatAsync(b, "ann");
        Assert.Equal(2, ann.Connections);
        Assert.Null(ann.DisconnectedAt);
        Assert.Equal(1, (await SeatAsync(b, "bob")).Connections);
        Assert.Contains("a", await b.Registry.ListLiveNodesAsync());

        await a.Store.DisconnectAsync("ann", _clock.GetUtcNow());
        await a.Registry.HeartbeatAsync();
        Assert.Equal(1, (await SeatAsync(b, "ann")).Connections);
    }

    [Fact]
    public async Task A_node_that_leaves_is_reaped_at_the_next_look_without_waiting_for_its_heartbeat_to_expire()
    {
        var a = await NodeAsync("a", LongTtl);
        var b = await NodeAsync("b", LongTtl);
        await AgentAsync(a, "ann");

        await a.Registry.LeaveAsync();

        Assert.Equal(new[] { "ann" }, Assert.Single(await b.Registry.ReapDeadNodesAsync(_clock.GetUtcNow())).AgentIds);
        Assert.Equal(_clock.GetUtcNow(), (await SeatAsync(b, "ann")).DisconnectedAt);
    }

    [Fact]
    public async Task After_redis_lost_everything_one_node_restores_and_the_heartbeat_records_each_nodes_connections_again()
    {
        await using var own = await RedisServer.StartAsync();
        var connection = await RedisConnection.ConnectAsync(new RedisOptions { Configuration = own.Configuration, Prefix = "restart" });
        try
        {
            var store = new RedisRoutingStore(connection, "a");
            var other = new RedisRoutingStore(connection, "b");
            var registry = new RedisNodeRegistry(store, new RedisNodeOptions { NodeId = "a" }, _clock);
            Assert.True(await store.TryClaimRestoreAsync());
            Assert.False(await other.TryClaimRestoreAsync());
            await store.UpsertProfileAsync(new AgentProfile("ann", "ann", ["billing"], 1, false));
            await store.ConnectAsync("ann");
            await store.SetStatusAsync("ann", AgentStatus.Away);
            await registry.HeartbeatAsync();

            await own.RestartAsync();
            await EventuallyAsync(async () => await store.FindSeatAsync("ann") is null);
            Assert.True(await other.TryClaimRestoreAsync());
            Assert.False(await store.TryClaimRestoreAsync());
            await other.UpsertProfileAsync(new AgentProfile("ann", "ann", ["billing"], 1, false));
            await other.AttachAsync("c1", "ann", _clock.GetUtcNow());
            Assert.Equal(0, Expect.Found(await store.FindSeatAsync("ann")).Connections);

            await registry.HeartbeatAsync();

            var seat = Expect.Found(await store.FindSeatAsync("ann"));
            Assert.Equal(1, seat.Connections);
            Assert.Equal(AgentStatus.Away, seat.Status);
            Assert.Null(seat.DisconnectedAt);
            Assert.Equal(["c1"], seat.Conversations);
            Assert.Equal(["a"], await registry.ListLiveNodesAsync());
        }
        finally
        {
            connection.Dispose();
        }
    }

    [Fact]
    public async Task The_hosted_registry_heartbeats_and_reaps_by_itself_and_withdraws_its_heartbeat_when_stopped()
    {
        var b = await NodeAsync("b", LongTtl);
        var store = new RedisRoutingStore(await _connections.OpenAsync(), "a");
        var options = new RedisNodeOptions { NodeId = "a", HeartbeatInterval = TimeSpan.FromMilliseconds(100), HeartbeatTtl = ShortTtl };
        using var hosted = new RedisNodeRegistry(store, options, _clock);
        await hosted.StartAsync(CancellationToken.None);
        await AgentAsync(store, "ann");

        await Task.Delay(ShortTtl * 3);
        Assert.Contains("a", await b.Registry.ListLiveNodesAsync());
        Assert.Equal(1, (await SeatAsync(b, "ann")).Connections);

        await hosted.StopAsync(CancellationToken.None);
        Assert.DoesNotContain("a", await b.Registry.ListLiveNodesAsync());
        Assert.Equal(["ann"], Assert.Single(await b.Registry.ReapDeadNodesAsync(_clock.GetUtcNow())).AgentIds);
    }

    [Fact]
    public async Task Registered_for_a_server_the_redis_store_replaces_the_in_memory_default_and_the_registry_is_hosted()
    {
        var connection = await _connections.OpenAsync();
        foreach (var redisFirst in new[] { true, false })
        {
            var services = new ServiceCollection();
            services.AddSingleton(connection);
            if (redisFirst)
            {
                services.AddRedisRouting(o => o.NodeId = "node-1");
            }
            services.TryAddSingleton<IRoutingStore, InMemoryRoutingStore>();
            if (!redisFirst)
            {
                services.AddRedisRouting(o => o.NodeId = "node-1");
            }
            await using var provider = services.BuildServiceProvider();

            var store = Assert.IsType<RedisRoutingStore>(provider.GetRequiredService<IRoutingStore>());
            Assert.Equal("node-1", store.NodeId);
            Assert.Same(store, provider.GetRequiredService<RedisRoutingStore>());
            var registry = Assert.Single(provider.GetServices<IHostedService>().OfType<RedisNodeRegistry>());
            Assert.Same(provider.GetRequiredService<RedisNodeRegistry>(), registry);
        }
        Assert.Throws<ArgumentException>(() => new ServiceCollection().AddRedisRouting(o => o.HeartbeatTtl = TimeSpan.Zero));
    }

    [Fact]
    public void Options_with_a_ttl_no_longer_than_the_interval_or_a_store_for_another_node_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new RedisNodeOptions { HeartbeatInterval = TimeSpan.FromSeconds(5), HeartbeatTtl = TimeSpan.FromSeconds(5) }.Validate());
        Assert.Throws<ArgumentException>(() => new RedisNodeOptions { NodeId = " " }.Validate());
        new RedisNodeOptions().Validate();
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (Exception e) when (e is StackExchange.Redis.RedisException or TimeoutException)
            {
            }
            Assert.True(DateTime.UtcNow < deadline, "the condition never held");
            await Task.Delay(100);
        }
    }
}
