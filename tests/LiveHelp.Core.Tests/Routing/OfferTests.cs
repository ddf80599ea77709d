using LiveHelp.Core.Routing;

namespace LiveHelp.Core.Tests.Routing;

public sealed class OfferTests
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task A_press_is_offered_at_once_to_the_least_loaded_skilled_agent_and_waits_in_line_when_nobody_fits()
    {
        var h = new RoutingHarness();
        await h.AddAgentAsync("ann", maxConcurrent: 2);
        await h.AddAgentAsync("bob", maxConcurrent: 2);
        await h.AddAgentAsync("tia", skills: "tech", maxConcurrent: 2);
        await h.RequestAsync("c0");
        await h.GiveAsync("c0", "ann");

        var first = await h.Router.PressAsync("c1", "billing", HelpMode.Chat, h.Now);
        var second = await h.Router.PressAsync("c2", "billing", HelpMode.Chat, h.Now);
        var third = await h.Router.PressAsync("c3", "billing", HelpMode.Chat, h.Now);
        var fourth = await h.Router.PressAsync("c4", "billing", HelpMode.Chat, h.Now);
        var nobody = await h.Router.PressAsync("c5", "sales", HelpMode.Chat, h.Now);

        // Bob is the least loaded; then, equal, Bob has gone longest without a new customer; then only Ann has room.
        Assert.Equal(new OfferMade(new Offer("c1", "bob", h.Now + h.Options.OfferTimeout)), first);
        Assert.Equal(new OfferMade(new Offer("c2", "bob", h.Now + h.Options.OfferTimeout)), second);
        Assert.Equal(new OfferMade(new Offer("c3", "ann", h.Now + h.Options.OfferTimeout)), third);
        Assert.Null(fourth);
        Assert.Null(nobody);
        Assert.Equal(["c1", "c2", "c3", "c4", "c5"], await h.QueueIdsAsync());
    }

    [Fact]
    public async Task A_press_to_an_auto_accepting_agent_is_theirs_at_once()
    {
        var h = new RoutingHarness();
        await h.AddAgentAsync("ann", autoAccept: true);

        Assert.Equal(new RequestAssigned("c1", "ann"), await h.Router.PressAsync("c1", "billing", HelpMode.Chat, h.Now));
        Assert.Empty(await h.QueueIdsAsync());
        Assert.Contains("c1", (await h.SeatAsync("ann")).Conversations);
    }

    [Fact]
    public async Task Request_waits_while_nobody_fits_and_is_offered_the_moment_an_agent_comes_online()
    {
        var h = new RoutingHarness();
        await h.AddAgentAsync("ann", status: AgentStatus.Away);
        await h.RequestAsync("c1");

        Assert.Empty(await h.Router.MatchAsync());
        Assert.Equal(["c1"], await h.QueueIdsAsync());

        await h.Store.SetStatusAsync("ann", AgentStatus.Online);
        var events = await h.Router.MatchAsync();

        Assert.Equal([new OfferMade(new Offer("c1", "ann", h.Now + h.Options.OfferTimeout))], events);
    }

    [Fact]
    public async Task Request_waits_while_the_only_agent_is_disconnected_and_is_offered_when_they_connect()
    {
        var h = new RoutingHarness();
        await h.AddAgentAsync("ann", connected: false);
        await h.RequestAsync("c1");

        Assert.Empty(await h.Router.MatchAsync());

        await h.Store.ConnectAsync("ann");

        Assert.Equal([("c1", "ann")], RoutingHarness.Offers(await h.Router.MatchAsync()));
    }

    [Fact]
    public async Task Request_waits_while_every_agent_is_full_and_is_offered_when_one_frees_a_place()
    {
        var h = new RoutingHarness();
        await h.AddAgentAsync("ann");
        await h.RequestAsync("c1");
        await h.GiveAsync("c1", "ann");
        await h.RequestAsync("c2");

        Assert.Empty(await h.Router.MatchAsync());

        await h.Store.ReleaseAsync("ann", "c1");

        Assert.Equal([("c2", "ann")], RoutingHarness.Offers(await h.Router.MatchAsync()));
    }

    [Fact]
    public async Task Request_for_a_skill_nobody_has_keeps_waiting_without_blocking_the_others()
    {
        var h = new RoutingHarness();
        await h.AddAgentAsync("ann", maxConcurrent: 2);
        await h.RequestAsync("rare", skill: "legal", mode: HelpMode.Mayday);
        await h.RequestAsync("c1");

        Assert.Equal([("c1", "ann")], RoutingHarness.Offers(await h.Router.MatchAsync()));
        Assert.Equal(["rare", "c1"], await h.QueueIdsAsync());
    }

    [Fact]
    public async Task An_offered_request_is_not_offered_again_by_the_next_match()
    {
        var h = new RoutingHarness();
        await h.AddAgentAsync("ann");
        await h.AddAgentAsync("bob");
        await h.RequestAsync("c1");
        await h.Router.MatchAsync();

        Assert.Empty(await h.Router.MatchAsync());
        Assert.Single(await h.Store.ListOffersAsync());
    }

    [Fact]
    public async Task Before_the_deadline_the_offer_stands()
    {
        var h = new RoutingHarness();
        await h.AddAgentAsync("ann");
        await h.AddAgentAsync("bob");
        await h.RequestAsync("c1");
        await h.Router.MatchAsync();

        h.Clock.Advance(h.Options.OfferTimeout - Tick);

        Assert.Empty(await h.Router.ExpireAsync());
        Assert.Empty(await h.Router.MatchAsync());
        Assert.Equal([new Offer("c1", "ann", h.Now + Tick)], await h.Store.ListOffersAsync());
        Assert.Equal(AgentStatus.Online, (await h.SeatAsync("ann")).Status);
        Assert.True(await h.Router.AcceptAsync("c1", "ann", "ann"));
    }

    [Fact]
    public async Task Lapsed_offer_sets_the_silent_agent_away_and_goes_to_the_next_agent()
    {
        var h = new RoutingHarness();
        await h.AddAgentAsync("ann");
        await h.AddAgentAsync("bob");
        await h.RequestAsync("c1");
        var offer = Assert.IsType<OfferMade>(Assert.Single(await h.Router.MatchAsync())).Offer;
        Assert.Equal("ann", offer.AgentId);

        h.Clock.Advance(h.Options.OfferTimeout);

        Assert.Equal([new OfferLapsed(offer)], await h.Router.ExpireAsync());
        var ann = await h.SeatAsync("ann");
        Assert.Equal(AgentStatus.Away, ann.Status);
        Assert.Equal(0, ann.PendingOffers);
        Assert.Equal(["c1"], await h.QueueIdsAsync());

        Assert.Equal([new OfferMade(new Offer("c1", "bob", h.Now + h.Options.OfferTimeout))], await h.Router.MatchAsync());
    }

    [Fact]
    public async Task A_request_passed_on_to_the_team_with_a_note_is_offered_with_that_note()
    {
        var h = new RoutingHarness();
        await h.AddAgentAsync("ann");

        await h.Router.RequeueAsync("c1", "billing", HelpMode.Chat, "bob", passedOn: true, "Refund it", h.Now, c => c);

        Assert.Equal([new OfferMade(new Offer("c1", "ann", h.Now + h.Options.OfferTimeout), "Refund it")], await h.Router.MatchAsync());
    }

    [Fact]
    public async Task A_lapse_is_reported_only_once()
    {
        var h = new RoutingHarness();
        await h.AddAgentAsync("ann");
        await h.RequestAsync("c1");
        await h.Router.MatchAsync();
        h.Clock.Advance(h.Options.OfferTimeout);

        Assert.Single(await h.Router.ExpireAsync());
        h.Clock.Advance(Tick);
        Assert.Empty(await h.Router.ExpireAsync());
    }

    [Fact]
    public async Task Lapsed_agent_set_online_again_is_passed_over_for_that_request_until_the_pass_over_period_ends()
    {
        var h = new RoutingHarness();
        await h.AddAgentAsync("ann");
        await h.RequestAsync("c1");
        await h.Router.MatchAsync();
        h.Clock.Advance(h.Options.OfferTimeout);
        await h.Router.ExpireAsync();
        var lapsedAt = h.Now;

        await h.Store.SetStatusAsync("ann", AgentStatus.Online);
        Assert.Empty(await h.Router.MatchAsync());

        h.Clock.Advance(h.Options.PassOverPeriod - Tick);
        Assert.Empty(await h.Router.MatchAsync());

        h.Clock.Advance(Tick);
        Assert.Equal(lapsedAt + h.Options.PassOverPeriod, h.Now);
        Assert.Equal([("c1", "ann")], RoutingHarness.Offers(await h.Router.MatchAsync()));
    }

    [Fact]
    public async Task Lapsed_agent_who_stays_away_is_not_offered_the_request_after_the_pass_over_period()
    {
        var h = new RoutingHarness();
        await h.AddAgentAsync("ann");
        await h.RequestAsync("c1");
        await h.Router.MatchAsync();
        h.Clock.Advance(h.Options.OfferTimeout);
        await h.Router.ExpireAsync();

        h.Clock.Advance(h.Options.PassOverPeriod + Tick);

        Assert.Empty(await h.Router.MatchAsync());
    }

    [Fact]
    public async Task Lapsed_agent_set_online_again_still_gets_other_requests()
    {
        var h = new RoutingHarness();
        await h.AddAgentAsync("ann");
        await h.RequestAsync("c1");
        await h.Router.MatchAsync();
        h.Clock.Advance(h.Options.OfferTimeout);
        await h.Router.ExpireAsync();
        await h.Store.SetStatusAsync("ann", AgentStatus.Online);
        await h.RequestAsync("c2");

        Assert.Equal([("c2", "ann")], RoutingHarness.Offers(await h.Router.MatchAsync()));
    }

    [Fact]
    public async Task Declined_request_goes_to_the_next_agent_and_the_decliner_is_passed_over()
    {
        var h = new RoutingHarness();
        await h.AddAgentAsync("ann");
        await h.AddAgentAsync("bob");
        await h.RequestAsync("c1");
        var offer = Assert.IsType<OfferMade>(Assert.Single(await h.Router.MatchAsync())).Offer;
        Assert.Equal("ann", offer.AgentId);

        Assert.Equal(offer, await h.Router.DeclineAsync("c1", "ann"));

        var ann = await h.SeatAsync("ann");
        Assert.Equal(AgentStatus.Online, ann.Status);
        Assert.Equal(0, ann.PendingOffers);
        var request = Expect.Found(await h.Store.FindRequestAsync("c1"));
        Assert.Equal(h.Now + h.Options.PassOverPeriod, request.PassedOver["ann"]);

        Assert.Equal([("c1", "bob")], RoutingHarness.Offers(await h.Router.MatchAsync()));
    }

    [Fact]
    public async Task Request_declined_by_the_only_agent_waits_and_returns_to_them_after_the_pass_over_period()
    {
        var h = new RoutingHarness();
        await h.AddAgentAsync("ann");
        await h.RequestAsync("c1");
        await h.Router.MatchAsync();
        await h.Router.DeclineAsync("c1", "ann");

        Assert.Empty(await h.Router.MatchAsync());

        h.Clock.Advance(h.Options.PassOverPeriod);

        Assert.Equal([("c1", "ann")], RoutingHarness.Offers(await h.Router.MatchAsync()));
    }

    [Fact]
    public async Task Declining_an_offer_someone_else_holds_changes_nothing()
    {
        var h = new RoutingHarness();
        await h.AddAgentAsync("ann");
        await h.AddAgentAsync("bob");
        await h.RequestAsync("c1");
        await h.Router.MatchAsync();

        Assert.Null(await h.Router.DeclineAsync("c1", "bob"));
        Assert.Null(await h.Router.DeclineAsync("unknown", "ann"));

        Assert.Equal("ann", Assert.Single(await h.Store.ListOffersAsync()).AgentId);
        Assert.Empty(Expect.Found(await h.Store.FindRequestAsync("c1")).PassedOver);
    }

    [Fact]
    public async Task Auto_accept_agent_is_assigned_the_request_without_an_offer()
    {
        var h = new RoutingHarness();
        await h.AddAgentAsync("ann", autoAccept: true);
        await h.RequestAsync("c1");

        Assert.Equal([new RequestAssigned("c1", "ann")], await h.Router.MatchAsync());

        Assert.Empty(await h.Store.ListOffersAsync());
        Assert.Empty(await h.Store.ListQueueAsync());
        var ann = await h.SeatAsync("ann");
        Assert.Equal(["c1"], ann.Conversations);
        Assert.Equal(0, ann.PendingOffers);
        Assert.Equal(h.Now, ann.LastAssignedAt);
    }

    [Fact]
    public async Task Auto_accept_agent_is_never_assigned_beyond_their_cap()
    {
        var h = new RoutingHarness();
        await h.AddAgentAsync("ann", maxConcurrent: 2, autoAccept: true);
        foreach (var id in new[] { "c1", "c2", "c3" })
        {
            await h.RequestAsync(id);
            h.Clock.Advance(Tick);
        }

        var events = await h.Router.MatchAsync();

        Assert.Equal([new RequestAssigned("c1", "ann"), new RequestAssigned("c2", "ann")], events);
        Assert.Equal(["c3"], await h.QueueIdsAsync());
        Assert.Empty(await h.Router.MatchAsync());

        await h.Store.ReleaseAsync("ann", "c1");
        Assert.Equal([new RequestAssigned("c3", "ann")], await h.Router.MatchAsync());
    }

    [Fact]
    public async Task Agent_with_room_for_several_gets_several_offers_but_never_more_than_the_cap()
    {
        var h = new RoutingHarness();
        await h.AddAgentAsync("ann", maxConcurrent: 2);
        foreach (var id in new[] { "c1", "c2", "c3" })
        {
            await h.RequestAsync(id);
            h.Clock.Advance(Tick);
        }

        Assert.Equal([("c1", "ann"), ("c2", "ann")], RoutingHarness.Offers(await h.Router.MatchAsync()));
        Assert.Equal(2, (await h.SeatAsync("ann")).PendingOffers);
    }
}
