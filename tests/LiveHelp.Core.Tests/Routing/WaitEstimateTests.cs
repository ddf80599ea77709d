using LiveHelp.Core.Routing;

namespace LiveHelp.Core.Tests.Routing;

public sealed class WaitEstimateTests
{
    private static readonly TimeSpan ThreeMinutes = TimeSpan.FromMinutes(3);
    private static readonly DateTimeOffset T0 = ManualClock.DefaultStart;

    private static HelpRequest Request(string id, string skill = "billing") => new() { Id = id, Skill = skill, EnqueuedAt = T0 };

    private static AgentSeat Seat(string id, int cap, int held = 0, string skills = "billing", AgentStatus status = AgentStatus.Online) => new()
    {
        Profile = new AgentProfile(id, id, skills.Split(','), cap, AutoAccept: false),
        Status = status,
        Connections = 1,
        Conversations = Enumerable.Range(0, held).Select(i => $"{id}-held-{i}").ToHashSet(),
    };

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 5)]
    public void No_wait_when_free_places_cover_everyone_ahead(int position, int freePlaces)
    {
        Assert.Equal(0, WaitEstimate.Seconds(position, freePlaces, totalPlaces: 6, ThreeMinutes));
    }

    [Fact]
    public void First_in_line_with_no_free_place_waits_for_one_place_to_free()
    {
        Assert.Equal(90, WaitEstimate.Seconds(position: 1, freePlaces: 0, totalPlaces: 2, ThreeMinutes));
    }

    [Fact]
    public void Wait_grows_with_the_position_in_the_queue()
    {
        var waits = Enumerable.Range(1, 6).Select(p => WaitEstimate.Seconds(p, freePlaces: 2, totalPlaces: 4, ThreeMinutes)).ToArray();

        Assert.Equal([0, 0, 45, 90, 135, 180], waits);
    }

    [Fact]
    public void Wait_shrinks_with_more_agents()
    {
        var waits = new[] { 1, 2, 3, 6 }.Select(places => WaitEstimate.Seconds(position: 4, freePlaces: 0, places, ThreeMinutes)).ToArray();

        Assert.Equal([720, 360, 240, 120], waits);
    }

    [Fact]
    public void Wait_rounds_up_to_whole_seconds()
    {
        Assert.Equal(61, WaitEstimate.Seconds(position: 1, freePlaces: 0, totalPlaces: 3, TimeSpan.FromSeconds(181)));
    }

    [Fact]
    public void With_no_agents_the_wait_is_still_a_finite_estimate()
    {
        Assert.Equal(360, WaitEstimate.Seconds(position: 2, freePlaces: 0, totalPlaces: 0, ThreeMinutes));
    }

    [Fact]
    public void Positions_are_counted_among_requests_for_the_same_skill()
    {
        HelpRequest[] queue = [Request("b1"), Request("t1", "tech"), Request("b2", "Billing"), Request("t2", "TECH"), Request("b3")];

        var places = WaitEstimate.ForQueue(queue, [], ThreeMinutes);

        Assert.Equal(
            [("b1", 1), ("t1", 1), ("b2", 2), ("t2", 2), ("b3", 3)],
            places.Select(p => (p.RequestId, p.Position)));
    }

    [Fact]
    public void Estimate_counts_only_available_agents_with_the_skill_and_their_free_places()
    {
        HelpRequest[] queue = [Request("b1"), Request("b2"), Request("b3"), Request("t1", "tech")];
        AgentSeat[] seats =
        [
            Seat("ann", cap: 2, held: 1),
            Seat("bob", cap: 2, held: 2),
            Seat("away", cap: 5, status: AgentStatus.Away),
            Seat("techie", cap: 3, skills: "tech"),
        ];

        var places = WaitEstimate.ForQueue(queue, seats, ThreeMinutes);

        Assert.Equal(
            [
                new QueuePlace("b1", 1, 0, 2),
                new QueuePlace("b2", 2, 45, 2),
                new QueuePlace("b3", 3, 90, 2),
                new QueuePlace("t1", 1, 0, 1),
            ],
            places);
    }

    [Fact]
    public void Nobody_available_is_reported_as_zero_agents()
    {
        var place = Assert.Single(WaitEstimate.ForQueue([Request("b1")], [Seat("away", cap: 3, status: AgentStatus.Away)], ThreeMinutes));

        Assert.Equal(0, place.AgentsAvailable);
        Assert.True(place.EstimatedWaitSeconds > 0);
    }

    [Fact]
    public void A_request_nobody_on_duty_can_answer_says_so_while_a_busy_or_briefly_disconnected_agent_with_the_skill_still_counts()
    {
        var places = WaitEstimate.ForQueue(
            [Request("b1"), Request("t1", skill: "tech"), Request("s1", skill: "sales")],
            [
                Seat("full", cap: 1, held: 1),
                Seat("reloading", cap: 2, skills: "tech") with { Connections = 0, DisconnectedAt = T0 },
                Seat("away", cap: 3, skills: "sales", status: AgentStatus.Away),
            ],
            ThreeMinutes);

        Assert.Equal([("b1", false), ("t1", false), ("s1", true)], places.Select(p => (p.RequestId, p.NobodyOnDuty)));
        Assert.Equal(1, places[2].Position);
    }

    [Fact]
    public async Task Router_reports_places_in_queue_order_and_they_improve_as_agents_join()
    {
        var h = new RoutingHarness();
        await h.AddAgentAsync("ann", status: AgentStatus.Away);
        await h.RequestAsync("chat");
        h.Clock.Advance(TimeSpan.FromSeconds(5));
        await h.RequestAsync("mayday", mode: HelpMode.Mayday);

        var before = await h.Router.PlacesAsync(ThreeMinutes);
        Assert.Equal([("mayday", 1), ("chat", 2)], before.Select(p => (p.RequestId, p.Position)));

        await h.Store.SetStatusAsync("ann", AgentStatus.Online);
        await h.AddAgentAsync("bob");
        var after = await h.Router.PlacesAsync(ThreeMinutes);

        Assert.All(after, p => Assert.Equal(0, p.EstimatedWaitSeconds));
        Assert.All(after, p => Assert.Equal(2, p.AgentsAvailable));
        Assert.True(before[1].EstimatedWaitSeconds > 0);
    }

    [Fact]
    public void A_customer_being_offered_to_the_only_free_agent_is_told_there_is_no_wait()
    {
        var offered = Seat("ann", cap: 1) with { PendingOffers = 1 };

        var places = WaitEstimate.ForQueue([Request("first"), Request("second")], [offered], ThreeMinutes);

        Assert.Equal([0, 180], places.Select(p => p.EstimatedWaitSeconds));
    }
}
