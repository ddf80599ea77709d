using LiveHelp.Core;
using LiveHelp.Core.Routing;
using LiveHelp.Core.Tests;

namespace LiveHelp.Redis.Tests.Routing;

/// <summary>What one node does, another node sees and continues: the queue, the waits, the offers and their deadlines.</summary>
public sealed class RedisRoutingAcrossNodesTests(RoutingRedisFixture redis) : IClassFixture<RoutingRedisFixture>, IAsyncLifetime
{
    private readonly RoutingConnections _connections = new(redis);
    private readonly ManualClock _clock = new();
    private readonly RoutingOptions _routing = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _connections.DisposeAsync();

    private async Task<Router> NodeAsync(string nodeId) =>
        new(new RedisRoutingStore(await _connections.OpenAsync(), nodeId), _routing, _clock);

    private static async Task AgentAsync(Router node, string agentId, int maxConcurrent = 1, string skills = "billing")
    {
        await node.Store.UpsertProfileAsync(new AgentProfile(agentId, agentId, skills.Split(','), maxConcurrent, false));
        await node.Store.SetStatusAsync(agentId, AgentStatus.Online);
        await node.Store.ConnectAsync(agentId);
    }

    private Task EnqueueAsync(Router node, string id, HelpMode mode = HelpMode.Chat, string skill = "billing") =>
        node.EnqueueAsync(id, skill, mode, _clock.GetUtcNow(), requeued: false);

    [Fact]
    public async Task Queue_places_and_waits_on_one_node_count_the_requests_and_agents_of_every_node()
    {
        var a = await NodeAsync("a");
        var b = await NodeAsync("b");
        await AgentAsync(a, "ann", maxConcurrent: 2);
        await EnqueueAsync(b, "busy");
        Assert.True(await b.Store.TryClaimAsync("busy", "ann", requireOffer: false, _clock.GetUtcNow()));
        await EnqueueAsync(a, "chat-1");
        _clock.Advance(TimeSpan.FromSeconds(1));
        await EnqueueAsync(b, "mayday", HelpMode.Mayday);
        _clock.Advance(TimeSpan.FromSeconds(1));
        await EnqueueAsync(a, "chat-2");
        await EnqueueAsync(b, "tech-1", skill: "tech");

        var placesOnB = await b.PlacesAsync(TimeSpan.FromMinutes(3));
        var placesOnA = await a.PlacesAsync(TimeSpan.FromMinutes(3));

        // ann: 2 places, 1 free; each further place frees every 90 s on average.
        Assert.Equal(
            [
                new QueuePlace("mayday", 1, 0, 1),
                new QueuePlace("chat-1", 2, 90, 1),
                new QueuePlace("chat-2", 3, 180, 1),
                new QueuePlace("tech-1", 1, 180, 0),
            ],
            placesOnB);
        Assert.Equal(placesOnB, placesOnA);
    }

    [Fact]
    public async Task The_same_operations_give_the_same_places_as_the_in_memory_store()
    {
        var a = await NodeAsync("a");
        var b = await NodeAsync("b");
        var memory = new Router(new InMemoryRoutingStore(), _routing, _clock);
        foreach (var (node, twin) in new[] { (a, memory), (b, memory) })
        {
            await AgentAsync(node, node == a ? "ann" : "bob", maxConcurrent: 3, skills: "billing,tech");
            await AgentAsync(twin, node == a ? "ann" : "bob", maxConcurrent: 3, skills: "billing,tech");
        }
        for (var i = 0; i < 12; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(i % 3));
            var mode = i % 4 == 0 ? HelpMode.Mayday : HelpMode.Chat;
            var skill = i % 3 == 0 ? "tech" : "billing";
            await (i % 2 == 0 ? a : b).EnqueueAsync($"c{i}", skill, mode, _clock.GetUtcNow(), requeued: i == 7);
            await memory.EnqueueAsync($"c{i}", skill, mode, _clock.GetUtcNow(), requeued: i == 7);
        }
        foreach (var id in new[] { "c2", "c5" })
        {
            Assert.True(await a.Store.TryClaimAsync(id, "bob", requireOffer: false, _clock.GetUtcNow()));
            Assert.True(await memory.Store.TryClaimAsync(id, "bob", requireOffer: false, _clock.GetUtcNow()));
        }

        Assert.Equal(await memory.PlacesAsync(TimeSpan.FromMinutes(4)), await b.PlacesAsync(TimeSpan.FromMinutes(4)));
        Assert.Equal((await memory.Store.ListQueueAsync()).Select(r => r.Id), (await a.Store.ListQueueAsync()).Select(r => r.Id));
    }

    [Fact]
    public async Task An_offer_made_by_a_node_that_died_lapses_on_another_node_and_goes_to_the_next_agent()
    {
        var a = await NodeAsync("a");
        var b = await NodeAsync("b");
        await AgentAsync(b, "ann");
        await AgentAsync(b, "bob");
        await EnqueueAsync(a, "c1");
        var offer = Assert.IsType<OfferMade>(Assert.Single(await a.MatchAsync())).Offer;
        Assert.Equal("ann", offer.AgentId);
        await _connections.DisposeAsync();
        b = new Router(new RedisRoutingStore(await _connections.OpenAsync(), "b"), _routing, _clock);

        Assert.Empty(await b.ExpireAsync());
        _clock.Advance(_routing.OfferTimeout);
        Assert.Equal([new OfferLapsed(offer)], await b.ExpireAsync());
        var next = Assert.IsType<OfferMade>(Assert.Single(await b.MatchAsync())).Offer;

        Assert.Equal(new Offer("c1", "bob", _clock.GetUtcNow() + _routing.OfferTimeout), next);
        Assert.Equal(AgentStatus.Away, Expect.Found(await b.Store.FindSeatAsync("ann")).Status);
        Assert.True(await b.AcceptAsync("c1", "bob"));
    }

    [Fact]
    public async Task Timestamps_come_back_with_their_exact_ticks_and_offset()
    {
        var store = (await NodeAsync("a")).Store;
        var enqueuedAt = new DateTimeOffset(638_712_345_678_901_234, TimeSpan.FromMinutes(345));
        var deadline = new DateTimeOffset(638_712_345_678_901_235, TimeSpan.FromHours(-3.5));
        var passOverUntil = new DateTimeOffset(638_712_345_678_901_236, TimeSpan.FromHours(14));
        var assignedAt = new DateTimeOffset(638_712_345_678_901_237, TimeSpan.FromHours(-12));
        var disconnectedAt = new DateTimeOffset(1, TimeSpan.Zero);
        await store.UpsertProfileAsync(new AgentProfile("ann", "Ann", ["billing"], 2, false));
        await store.SetStatusAsync("ann", AgentStatus.Online);
        await store.ConnectAsync("ann");
        await store.EnqueueAsync(new HelpRequest { Id = "c1", Skill = "billing", EnqueuedAt = enqueuedAt });
        await store.EnqueueAsync(new HelpRequest { Id = "c2", Skill = "billing", EnqueuedAt = DateTimeOffset.MaxValue });

        Assert.True(Expect.Found(await store.TryOfferAsync("c1", "ann", deadline)).Deadline.EqualsExact(deadline));
        Assert.True(Assert.Single(await store.ListOffersAsync()).Deadline.EqualsExact(deadline));
        Assert.True(Expect.Found(await store.TryWithdrawOfferAsync("c1", "ann", passOverUntil)).Deadline.EqualsExact(deadline));
        var request = Expect.Found(await store.FindRequestAsync("c1"));
        Assert.True(request.EnqueuedAt.EqualsExact(enqueuedAt));
        Assert.True(request.PassedOver["ann"].EqualsExact(passOverUntil));
        Assert.True(Expect.Found(await store.FindRequestAsync("c2")).EnqueuedAt.EqualsExact(DateTimeOffset.MaxValue));
        Assert.True(await store.TryClaimAsync("c2", "ann", requireOffer: false, assignedAt));
        await store.DisconnectAsync("ann", disconnectedAt);

        var seat = Expect.Found(await store.FindSeatAsync("ann"));
        Assert.True(seat.LastAssignedAt?.EqualsExact(assignedAt));
        Assert.True(seat.DisconnectedAt?.EqualsExact(disconnectedAt));
        Assert.Equal(["c2"], Expect.Found(await store.TryRetireAsync("ann", disconnectedAt)));
    }

    [Fact]
    public async Task Grace_periods_compare_instants_not_local_times()
    {
        var store = (await NodeAsync("a")).Store;
        await store.UpsertProfileAsync(new AgentProfile("ann", "Ann", ["billing"], 1, false));
        await store.ConnectAsync("ann");
        await store.AttachAsync("c1", "ann", DateTimeOffset.UtcNow);
        // 10:00 at +02:00 is 08:00 UTC: later than 09:00 UTC in local digits, earlier as an instant.
        await store.DisconnectAsync("ann", new DateTimeOffset(2025, 1, 6, 10, 0, 0, TimeSpan.FromHours(2)));

        Assert.Null(await store.TryRetireAsync("ann", new DateTimeOffset(2025, 1, 6, 7, 59, 59, TimeSpan.Zero)));
        Assert.Equal(["c1"], Expect.Found(await store.TryRetireAsync("ann", new DateTimeOffset(2025, 1, 6, 9, 0, 0, TimeSpan.Zero))));
    }

    [Fact]
    public async Task Skills_match_ignoring_case_beyond_ascii_and_ids_may_hold_any_text()
    {
        var store = (await NodeAsync("a")).Store;
        const string agent = "ägent \"1\" {x} / \\ 名前 😀";
        const string request = "c/1 \"quoted\" {routing} ☃ 😀";
        await store.UpsertProfileAsync(new AgentProfile(agent, "Zoë <b>", ["Ärger", ""], 1, false));
        await store.SetStatusAsync(agent, AgentStatus.Online);
        await store.ConnectAsync(agent);
        await store.EnqueueAsync(new HelpRequest { Id = request, Skill = "äRGER" });

        Assert.NotNull(await store.TryOfferAsync(request, agent, _clock.GetUtcNow()));
        Assert.Equal(new Offer(request, agent, _clock.GetUtcNow()), await store.TryWithdrawOfferAsync(request, agent, _clock.GetUtcNow()));
        var queued = Expect.Found(await store.FindRequestAsync(request));
        Assert.Equal(request, queued.Id);
        Assert.Equal("äRGER", queued.Skill);
        Assert.Equal([agent], queued.PassedOver.Keys);
        Assert.NotNull(await store.TryOfferAsync(request, agent, _clock.GetUtcNow()));
        Assert.True(await store.TryClaimAsync(request, agent, requireOffer: true, _clock.GetUtcNow()));

        var seat = Expect.Found(await store.FindSeatAsync(agent));
        Assert.Equal(agent, seat.AgentId);
        Assert.Equal("Zoë <b>", seat.Profile.DisplayName);
        Assert.Equal(["Ärger", ""], seat.Profile.Skills);
        Assert.Equal([request], seat.Conversations);
    }

    [Fact]
    public async Task An_agent_without_skills_keeps_an_empty_skill_list()
    {
        var store = (await NodeAsync("a")).Store;
        await store.UpsertProfileAsync(new AgentProfile("ann", "Ann", [], 1, false));
        await store.SetStatusAsync("ann", AgentStatus.Online);

        Assert.Empty(Expect.Found(await store.FindSeatAsync("ann")).Profile.Skills);
    }

    [Fact]
    public async Task Installations_under_different_prefixes_share_nothing()
    {
        var here = (await NodeAsync("a")).Store;
        await using var elsewhere = new RoutingConnections(redis);
        var there = new RedisRoutingStore(await elsewhere.OpenAsync(), "a");

        await here.UpsertProfileAsync(new AgentProfile("ann", "Ann", ["billing"], 1, false));
        await here.EnqueueAsync(new HelpRequest { Id = "c1", Skill = "billing" });

        Assert.Empty(await there.ListSeatsAsync());
        Assert.Empty(await there.ListQueueAsync());
        Assert.Single(await here.ListQueueAsync());
    }
}
