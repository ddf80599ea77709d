using LiveHelp.Core.Routing;

namespace LiveHelp.Core.Tests.Routing;

public sealed class AcceptTests
{
    private static async Task<RoutingHarness> OfferedToAnnAsync(params string[] moreAgents)
    {
        var h = new RoutingHarness();
        await h.AddAgentAsync("ann");
        foreach (var agent in moreAgents)
        {
            await h.AddAgentAsync(agent);
        }
        await h.RequestAsync("c1");
        Assert.Equal([("c1", "ann")], RoutingHarness.Offers(await h.Router.MatchAsync()));
        return h;
    }

    [Fact]
    public async Task Accepting_the_offer_makes_the_conversation_the_agents()
    {
        var h = await OfferedToAnnAsync();
        h.Clock.Advance(TimeSpan.FromSeconds(3));

        Assert.True(await h.Router.AcceptAsync("c1", "ann", "ann"));

        var ann = await h.SeatAsync("ann");
        Assert.Equal(["c1"], ann.Conversations);
        Assert.Equal(0, ann.PendingOffers);
        Assert.Equal(1, ann.Load);
        Assert.Equal(h.Now, ann.LastAssignedAt);
        Assert.Empty(await h.Store.ListQueueAsync());
        Assert.Empty(await h.Store.ListOffersAsync());
        Assert.Null(await h.Store.FindRequestAsync("c1"));
    }

    [Fact]
    public async Task Accepting_someone_elses_offer_fails_and_leaves_the_offer_with_its_holder()
    {
        var h = await OfferedToAnnAsync("bob");

        Assert.False(await h.Router.AcceptAsync("c1", "bob", "bob"));

        Assert.Empty((await h.SeatAsync("bob")).Conversations);
        Assert.Equal("ann", Assert.Single(await h.Store.ListOffersAsync()).AgentId);
        Assert.True(await h.Router.AcceptAsync("c1", "ann", "ann"));
    }

    [Fact]
    public async Task Accepting_a_request_that_was_never_offered_fails()
    {
        var h = new RoutingHarness();
        await h.AddAgentAsync("ann");
        await h.RequestAsync("c1");

        Assert.False(await h.Router.AcceptAsync("c1", "ann", "ann"));
        Assert.False(await h.Router.AcceptAsync("no-such-request", "ann", "ann"));
        Assert.Equal(["c1"], await h.QueueIdsAsync());
    }

    [Fact]
    public async Task Accepting_after_the_offer_lapsed_fails()
    {
        var h = await OfferedToAnnAsync("bob");
        h.Clock.Advance(h.Options.OfferTimeout);
        await h.Router.ExpireAsync();

        Assert.False(await h.Router.AcceptAsync("c1", "ann", "ann"));

        Assert.Empty((await h.SeatAsync("ann")).Conversations);
        Assert.Equal(["c1"], await h.QueueIdsAsync());
    }

    [Fact]
    public async Task Accepting_after_the_lapse_fails_even_once_the_request_is_offered_to_the_next_agent()
    {
        var h = await OfferedToAnnAsync("bob");
        h.Clock.Advance(h.Options.OfferTimeout);
        await h.Router.ExpireAsync();
        await h.Router.MatchAsync();

        Assert.False(await h.Router.AcceptAsync("c1", "ann", "ann"));
        Assert.True(await h.Router.AcceptAsync("c1", "bob", "bob"));
        Assert.Empty((await h.SeatAsync("ann")).Conversations);
    }

    [Fact]
    public async Task Accepting_after_declining_fails()
    {
        var h = await OfferedToAnnAsync();
        await h.Router.DeclineAsync("c1", "ann");

        Assert.False(await h.Router.AcceptAsync("c1", "ann", "ann"));
    }

    [Fact]
    public async Task Accepting_twice_fails_the_second_time_and_holds_the_conversation_once()
    {
        var h = await OfferedToAnnAsync();

        Assert.True(await h.Router.AcceptAsync("c1", "ann", "ann"));
        Assert.False(await h.Router.AcceptAsync("c1", "ann", "ann"));

        var ann = await h.SeatAsync("ann");
        Assert.Equal(["c1"], ann.Conversations);
        Assert.Equal(0, ann.PendingOffers);
    }

    [Fact]
    public async Task Cancelled_request_cannot_be_accepted_and_its_offer_is_withdrawn()
    {
        var h = await OfferedToAnnAsync();
        var offer = Assert.Single(await h.Store.ListOffersAsync());

        var (removed, withdrawn) = await h.Store.TryDequeueAsync("c1");

        Assert.True(removed);
        Assert.Equal(offer, withdrawn);
        Assert.Empty(await h.Store.ListOffersAsync());
        Assert.Equal(0, (await h.SeatAsync("ann")).PendingOffers);
        Assert.False(await h.Router.AcceptAsync("c1", "ann", "ann"));
        Assert.Empty((await h.SeatAsync("ann")).Conversations);

        await h.RequestAsync("c2");
        Assert.Equal([("c2", "ann")], RoutingHarness.Offers(await h.Router.MatchAsync()));
    }

    [Fact]
    public async Task Withdrawn_offer_of_a_cancelled_request_does_not_lapse_later()
    {
        var h = await OfferedToAnnAsync();
        await h.Store.TryDequeueAsync("c1");

        h.Clock.Advance(h.Options.OfferTimeout);

        Assert.Empty(await h.Router.ExpireAsync());
        Assert.Equal(AgentStatus.Online, (await h.SeatAsync("ann")).Status);
    }

    [Fact]
    public async Task Accepting_after_the_deadline_while_the_lapse_races_never_gives_the_request_to_two_agents()
    {
        var h = new RoutingHarness();
        await h.AddAgentAsync("ann", maxConcurrent: 1000);
        await h.AddAgentAsync("bob", maxConcurrent: 1000);

        for (var i = 0; i < 300; i++)
        {
            var id = $"c{i}";
            await h.Store.SetStatusAsync("ann", AgentStatus.Online);
            await h.Store.SetStatusAsync("bob", AgentStatus.Online);
            await h.RequestAsync(id);
            var offer = Assert.IsType<OfferMade>(Assert.Single(await h.Router.MatchAsync())).Offer;
            var (first, second) = offer.AgentId == "ann" ? ("ann", "bob") : ("bob", "ann");
            h.Clock.Advance(h.Options.OfferTimeout);

            var results = await Race.RunAsync(2, async i =>
            {
                if (i == 0)
                {
                    return await h.Router.AcceptAsync(id, first, first);
                }
                await h.Router.ExpireAsync();
                await h.Router.MatchAsync();
                return await h.Router.AcceptAsync(id, second, second);
            });

            Assert.NotEqual(results[0], results[1]);
            var holders = (await h.Store.ListSeatsAsync()).Where(s => s.Conversations.Contains(id)).Select(s => s.AgentId).ToList();
            Assert.Equal([results[0] ? first : second], holders);
            Assert.Null(await h.Store.FindRequestAsync(id));
            Assert.Empty(await h.Store.ListOffersAsync());
        }
    }

    [Fact]
    public async Task Many_agents_racing_for_one_unoffered_request_leave_exactly_one_winner()
    {
        var h = new RoutingHarness();
        var agents = Enumerable.Range(0, 8).Select(i => $"agent{i}").ToArray();
        foreach (var agent in agents)
        {
            await h.AddAgentAsync(agent, maxConcurrent: 1000, autoAccept: true);
        }

        for (var i = 0; i < 200; i++)
        {
            var id = $"c{i}";
            await h.RequestAsync(id);
            var results = await Race.RunAsync(agents.Length, i => h.Store.TryClaimAsync(id, agents[i], requireOffer: false, h.Now));

            Assert.Single(results, won => won);
            Assert.Single(await h.Store.ListSeatsAsync(), s => s.Conversations.Contains(id));
        }
    }
}
