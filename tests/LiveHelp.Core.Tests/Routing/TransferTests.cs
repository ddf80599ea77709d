using LiveHelp.Core.Routing;

namespace LiveHelp.Core.Tests.Routing;

public sealed class TransferTests
{
    private static async Task<RoutingHarness> AnnHoldingC1Async()
    {
        var h = new RoutingHarness();
        await h.AddAgentAsync("ann", maxConcurrent: 2, autoAccept: true);
        await h.RequestAsync("c1");
        await h.Router.MatchAsync();
        Assert.Equal(["c1"], (await h.SeatAsync("ann")).Conversations);
        h.Clock.Advance(TimeSpan.FromMinutes(2));
        return h;
    }

    private static async Task AssertUnchangedAsync(RoutingHarness h, string otherAgent)
    {
        Assert.Equal(["c1"], (await h.SeatAsync("ann")).Conversations);
        Assert.DoesNotContain("c1", (await h.SeatAsync(otherAgent)).Conversations);
    }

    [Fact]
    public async Task Transfer_to_an_available_agent_with_room_moves_the_conversation()
    {
        var h = await AnnHoldingC1Async();
        await h.AddAgentAsync("bob", maxConcurrent: 2);

        Assert.True(await h.Router.TransferAsync("c1", "ann", "bob"));

        Assert.Empty((await h.SeatAsync("ann")).Conversations);
        var bob = await h.SeatAsync("bob");
        Assert.Equal(["c1"], bob.Conversations);
        Assert.Equal(h.Now, bob.LastAssignedAt);
        Assert.Empty(await h.Store.ListQueueAsync());
    }

    [Fact]
    public async Task Transfer_frees_a_place_for_the_sender_and_takes_one_from_the_receiver()
    {
        var h = await AnnHoldingC1Async();
        await h.AddAgentAsync("bob");
        await h.Router.TransferAsync("c1", "ann", "bob");
        await h.RequestAsync("c2");

        Assert.Equal([new RequestAssigned("c2", "ann")], await h.Router.MatchAsync());
    }

    [Fact]
    public async Task Transfer_to_an_away_agent_fails_and_changes_nothing()
    {
        var h = await AnnHoldingC1Async();
        await h.AddAgentAsync("bob", status: AgentStatus.Away);

        Assert.False(await h.Router.TransferAsync("c1", "ann", "bob"));

        await AssertUnchangedAsync(h, "bob");
    }

    [Fact]
    public async Task Transfer_to_a_disconnected_agent_fails_and_changes_nothing()
    {
        var h = await AnnHoldingC1Async();
        await h.AddAgentAsync("bob", connected: false);

        Assert.False(await h.Router.TransferAsync("c1", "ann", "bob"));

        await AssertUnchangedAsync(h, "bob");
    }

    [Fact]
    public async Task Transfer_to_a_full_agent_fails_and_changes_nothing()
    {
        var h = await AnnHoldingC1Async();
        await h.AddAgentAsync("bob", autoAccept: true);
        await h.RequestAsync("c2");
        await h.Router.MatchAsync();
        Assert.Equal(["c2"], (await h.SeatAsync("bob")).Conversations);

        Assert.False(await h.Router.TransferAsync("c1", "ann", "bob"));

        await AssertUnchangedAsync(h, "bob");
        Assert.Equal(["c2"], (await h.SeatAsync("bob")).Conversations);
    }

    [Fact]
    public async Task Transfer_to_an_agent_filled_by_a_pending_offer_fails_and_changes_nothing()
    {
        var h = await AnnHoldingC1Async();
        await h.AddAgentAsync("bob");
        await h.Store.SetStatusAsync("ann", AgentStatus.Away);
        await h.RequestAsync("c2");
        Assert.Equal([("c2", "bob")], RoutingHarness.Offers(await h.Router.MatchAsync()));

        Assert.False(await h.Router.TransferAsync("c1", "ann", "bob"));

        await AssertUnchangedAsync(h, "bob");
        Assert.Equal(1, (await h.SeatAsync("bob")).PendingOffers);
    }

    [Fact]
    public async Task Transfer_to_an_unknown_agent_fails_and_changes_nothing()
    {
        var h = await AnnHoldingC1Async();

        Assert.False(await h.Router.TransferAsync("c1", "ann", "nobody"));

        Assert.Equal(["c1"], (await h.SeatAsync("ann")).Conversations);
    }

    [Fact]
    public async Task Transfer_to_oneself_fails_and_the_agent_keeps_the_conversation()
    {
        var h = await AnnHoldingC1Async();

        Assert.False(await h.Router.TransferAsync("c1", "ann", "ann"));

        Assert.Equal(["c1"], (await h.SeatAsync("ann")).Conversations);
    }
}
