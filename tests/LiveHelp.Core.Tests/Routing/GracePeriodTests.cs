using LiveHelp.Core.Routing;

namespace LiveHelp.Core.Tests.Routing;

public sealed class GracePeriodTests
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    private static async Task<RoutingHarness> AnnHoldingAsync(params string[] conversations)
    {
        var h = new RoutingHarness();
        await h.AddAgentAsync("ann", maxConcurrent: 5, autoAccept: true);
        foreach (var id in conversations)
        {
            await h.RequestAsync(id);
        }
        await h.Router.MatchAsync();
        Assert.Equal(conversations.Length, (await h.SeatAsync("ann")).Conversations.Count);
        return h;
    }

    [Fact]
    public async Task Disconnected_agent_keeps_their_conversations_until_the_grace_period_ends()
    {
        var h = await AnnHoldingAsync("c1", "c2");
        await h.Store.DisconnectAsync("ann", h.Now);

        h.Clock.Advance(h.Options.AgentGracePeriod - Tick);

        Assert.Empty(await h.Router.ExpireAsync());
        var ann = await h.SeatAsync("ann");
        Assert.Equal(AgentStatus.Online, ann.Status);
        Assert.Equal(["c1", "c2"], ann.Conversations.Order());
    }

    [Fact]
    public async Task Disconnected_agent_is_lost_at_the_end_of_the_grace_period_and_their_conversations_are_released()
    {
        var h = await AnnHoldingAsync("c2", "c1");
        await h.Store.DisconnectAsync("ann", h.Now);

        h.Clock.Advance(h.Options.AgentGracePeriod);

        var lost = Assert.IsType<AgentLost>(Assert.Single(await h.Router.ExpireAsync()));
        Assert.Equal("ann", lost.AgentId);
        Assert.Equal(["c1", "c2"], lost.ConversationIds.Order());
        var ann = await h.SeatAsync("ann");
        Assert.Equal(AgentStatus.Offline, ann.Status);
        Assert.Empty(ann.Conversations);
        Assert.Equal(0, ann.Load);
    }

    [Fact]
    public async Task Disconnected_agent_holding_nothing_is_set_offline_at_the_end_of_the_grace_period()
    {
        var h = await AnnHoldingAsync();
        await h.Store.DisconnectAsync("ann", h.Now);

        h.Clock.Advance(h.Options.AgentGracePeriod);

        var lost = Assert.IsType<AgentLost>(Assert.Single(await h.Router.ExpireAsync()));
        Assert.Empty(lost.ConversationIds);
        Assert.Equal(AgentStatus.Offline, (await h.SeatAsync("ann")).Status);
    }

    [Fact]
    public async Task A_lost_agent_is_reported_only_once()
    {
        var h = await AnnHoldingAsync("c1");
        await h.Store.DisconnectAsync("ann", h.Now);
        h.Clock.Advance(h.Options.AgentGracePeriod);
        Assert.Single(await h.Router.ExpireAsync());

        h.Clock.Advance(h.Options.AgentGracePeriod);

        Assert.Empty(await h.Router.ExpireAsync());
    }

    [Fact]
    public async Task Conversations_of_a_lost_agent_requeued_go_to_the_next_agent_before_waiting_customers()
    {
        var h = await AnnHoldingAsync("c1");
        await h.AddAgentAsync("bob");
        await h.RequestAsync("waiting", mode: HelpMode.Mayday);
        await h.Store.DisconnectAsync("ann", h.Now);
        h.Clock.Advance(h.Options.AgentGracePeriod);
        var lost = Assert.IsType<AgentLost>(Assert.Single(await h.Router.ExpireAsync()));

        foreach (var id in lost.ConversationIds)
        {
            await h.RequestAsync(id, requeued: true);
        }

        Assert.Equal([("c1", "bob")], RoutingHarness.Offers(await h.Router.MatchAsync()));
    }

    [Fact]
    public async Task Reconnecting_within_the_grace_period_keeps_everything()
    {
        var h = await AnnHoldingAsync("c1", "c2");
        await h.Store.DisconnectAsync("ann", h.Now);
        h.Clock.Advance(h.Options.AgentGracePeriod - Tick);

        await h.Store.ConnectAsync("ann");
        h.Clock.Advance(h.Options.AgentGracePeriod * 3);

        Assert.Empty(await h.Router.ExpireAsync());
        var ann = await h.SeatAsync("ann");
        Assert.Equal(AgentStatus.Online, ann.Status);
        Assert.Equal(1, ann.Connections);
        Assert.Null(ann.DisconnectedAt);
        Assert.Equal(["c1", "c2"], ann.Conversations.Order());
    }

    [Fact]
    public async Task After_reconnecting_a_later_disconnect_starts_a_fresh_grace_period()
    {
        var h = await AnnHoldingAsync("c1");
        await h.Store.DisconnectAsync("ann", h.Now);
        h.Clock.Advance(h.Options.AgentGracePeriod - Tick);
        await h.Store.ConnectAsync("ann");
        h.Clock.Advance(Tick);
        await h.Store.DisconnectAsync("ann", h.Now);

        h.Clock.Advance(h.Options.AgentGracePeriod - Tick);
        Assert.Empty(await h.Router.ExpireAsync());

        h.Clock.Advance(Tick);
        Assert.IsType<AgentLost>(Assert.Single(await h.Router.ExpireAsync()));
    }

    [Fact]
    public async Task Closing_a_second_connection_while_another_is_open_does_not_start_the_grace_period()
    {
        var h = await AnnHoldingAsync("c1");
        await h.Store.ConnectAsync("ann");
        await h.Store.DisconnectAsync("ann", h.Now);

        var ann = await h.SeatAsync("ann");
        Assert.Equal(1, ann.Connections);
        Assert.Null(ann.DisconnectedAt);

        h.Clock.Advance(h.Options.AgentGracePeriod * 3);

        Assert.Empty(await h.Router.ExpireAsync());
        Assert.Equal(["c1"], (await h.SeatAsync("ann")).Conversations);
    }

    [Fact]
    public async Task Grace_period_starts_only_when_the_last_of_several_connections_closes()
    {
        var h = await AnnHoldingAsync("c1");
        await h.Store.ConnectAsync("ann");
        await h.Store.DisconnectAsync("ann", h.Now);
        h.Clock.Advance(h.Options.AgentGracePeriod);
        await h.Store.DisconnectAsync("ann", h.Now);

        h.Clock.Advance(h.Options.AgentGracePeriod - Tick);
        Assert.Empty(await h.Router.ExpireAsync());

        h.Clock.Advance(Tick);
        Assert.Equal(["c1"], Assert.IsType<AgentLost>(Assert.Single(await h.Router.ExpireAsync())).ConversationIds);
    }

    [Fact]
    public async Task Disconnected_agent_is_offered_nothing_new_during_the_grace_period()
    {
        var h = await AnnHoldingAsync("c1");
        await h.Store.DisconnectAsync("ann", h.Now);
        await h.RequestAsync("c2");

        Assert.Empty(await h.Router.MatchAsync());
        Assert.Equal(["c2"], await h.QueueIdsAsync());
    }

    [Fact]
    public async Task Connected_agent_who_is_away_is_never_lost()
    {
        var h = await AnnHoldingAsync("c1");
        await h.Store.SetStatusAsync("ann", AgentStatus.Away);

        h.Clock.Advance(h.Options.AgentGracePeriod * 10);

        Assert.Empty(await h.Router.ExpireAsync());
        Assert.Equal(["c1"], (await h.SeatAsync("ann")).Conversations);
    }

    [Fact]
    public async Task A_repeated_disconnect_does_not_postpone_the_end_of_the_grace_period()
    {
        var h = await AnnHoldingAsync("c1");
        await h.Store.DisconnectAsync("ann", h.Now);
        h.Clock.Advance(h.Options.AgentGracePeriod / 2);
        await h.Store.DisconnectAsync("ann", h.Now);
        h.Clock.Advance(h.Options.AgentGracePeriod / 2);

        var lost = Assert.IsType<AgentLost>(Assert.Single(await h.Router.ExpireAsync()));
        Assert.Equal(["c1"], lost.ConversationIds);
    }
}
