using LiveHelp.Core.Routing;

namespace LiveHelp.Core.Tests.Routing;

public sealed class AgentChoiceTests
{
    private static readonly DateTimeOffset Now = ManualClock.DefaultStart.AddHours(1);

    private static readonly HelpRequest Billing = new() { Id = "c1", Skill = "billing", EnqueuedAt = Now };

    private static AgentSeat Seat(
        string id,
        int held = 0,
        int pending = 0,
        int cap = 2,
        AgentStatus status = AgentStatus.Online,
        int connections = 1,
        string skills = "billing",
        DateTimeOffset? lastAssigned = null) => new()
        {
            Profile = new AgentProfile(id, id, skills.Split(','), cap, AutoAccept: false),
            Status = status,
            Connections = connections,
            Conversations = Enumerable.Range(0, held).Select(i => $"{id}-held-{i}").ToHashSet(),
            PendingOffers = pending,
            LastAssignedAt = lastAssigned,
        };

    private static string? Choose(HelpRequest request, params AgentSeat[] seats) =>
        RoutingPolicy.ChooseAgent(request, seats, Now)?.AgentId;

    [Fact]
    public void Nobody_is_chosen_when_no_agent_is_online_connected_skilled_and_under_the_cap()
    {
        Assert.Null(Choose(
            Billing,
            Seat("away", status: AgentStatus.Away),
            Seat("offline", status: AgentStatus.Offline),
            Seat("online-but-disconnected", connections: 0),
            Seat("wrong-skill", skills: "tech"),
            Seat("full", held: 1, pending: 1, cap: 2)));
    }

    [Fact]
    public void A_request_passed_on_to_a_team_does_not_go_back_to_the_agent_who_passed_it_while_someone_else_online_has_the_skill()
    {
        var passed = Billing with { TransferredFrom = "ann" };

        Assert.Equal("bob", Choose(passed, Seat("ann"), Seat("bob", held: 1)));
        // Bob is full: the request waits for him (or another of the team) rather than return to Ann at once.
        Assert.Null(Choose(passed, Seat("ann"), Seat("bob", held: 2, cap: 2)));
        Assert.Equal("ann", Choose(Billing, Seat("ann"), Seat("bob", held: 1)));
    }

    [Fact]
    public void A_request_passed_on_to_a_team_goes_back_to_the_agent_who_passed_it_when_nobody_else_online_has_the_skill()
    {
        var passed = Billing with { TransferredFrom = "ann" };

        Assert.Equal("ann", Choose(
            passed,
            Seat("ann"),
            Seat("away", status: AgentStatus.Away),
            Seat("disconnected", connections: 0),
            Seat("wrong-skill", skills: "tech")));
    }

    [Fact]
    public void The_one_agent_who_fits_is_chosen_among_those_who_do_not()
    {
        Assert.Equal("fits", Choose(
            Billing,
            Seat("away", status: AgentStatus.Away),
            Seat("online-but-disconnected", connections: 0),
            Seat("wrong-skill", skills: "tech"),
            Seat("full", held: 2, cap: 2),
            Seat("fits", held: 1, cap: 2)));
    }

    [Fact]
    public void Skill_matching_ignores_case()
    {
        var request = Billing with { Skill = "BiLLing" };

        Assert.Equal("ann", Choose(request, Seat("ann", skills: "tech,BILLING")));
    }

    [Fact]
    public void Least_loaded_agent_is_chosen_first()
    {
        Assert.Equal("light", Choose(
            Billing,
            Seat("busy", held: 2, cap: 3, lastAssigned: Now.AddHours(-5)),
            Seat("light", held: 1, cap: 3, lastAssigned: Now)));
    }

    [Fact]
    public void Pending_offers_count_as_load()
    {
        Assert.Equal("holding-one", Choose(
            Billing,
            Seat("with-two-offers-out", pending: 2, cap: 3),
            Seat("holding-one", held: 1, cap: 3)));
    }

    [Fact]
    public void Agent_at_the_cap_through_pending_offers_is_not_chosen()
    {
        Assert.Null(Choose(Billing, Seat("ann", held: 1, pending: 1, cap: 2)));
    }

    [Fact]
    public void On_equal_load_the_agent_longest_since_their_last_assignment_is_chosen()
    {
        Assert.Equal("idle-longest", Choose(
            Billing,
            Seat("recent", lastAssigned: Now.AddMinutes(-1)),
            Seat("idle-longest", lastAssigned: Now.AddMinutes(-30)),
            Seat("middle", lastAssigned: Now.AddMinutes(-10))));
    }

    [Fact]
    public void On_equal_load_an_agent_never_assigned_comes_before_everyone()
    {
        Assert.Equal("never", Choose(
            Billing,
            Seat("long-ago", lastAssigned: Now.AddDays(-30)),
            Seat("never", lastAssigned: null)));
    }

    [Fact]
    public void Agent_passed_over_for_the_request_is_skipped_until_the_pass_over_ends()
    {
        var request = Billing with { PassedOver = new Dictionary<string, DateTimeOffset> { ["ann"] = Now.AddSeconds(10) } };
        AgentSeat[] seats = [Seat("ann")];

        Assert.Null(RoutingPolicy.ChooseAgent(request, seats, Now));
        Assert.Null(RoutingPolicy.ChooseAgent(request, seats, Now.AddSeconds(9)));
        Assert.Equal("ann", RoutingPolicy.ChooseAgent(request, seats, Now.AddSeconds(10))?.AgentId);
    }

    [Fact]
    public void Being_passed_over_for_one_request_does_not_affect_other_requests()
    {
        var passed = Billing with { PassedOver = new Dictionary<string, DateTimeOffset> { ["ann"] = Now.AddMinutes(1) } };
        var other = Billing with { Id = "c2" };

        Assert.Equal("bob", Choose(passed, Seat("ann"), Seat("bob", held: 1)));
        Assert.Equal("ann", Choose(other, Seat("ann"), Seat("bob", held: 1)));
    }

    [Fact]
    public async Task Two_requests_go_to_two_idle_agents_because_an_offer_reserves_a_place()
    {
        var h = new RoutingHarness();
        await h.AddAgentAsync("ann", maxConcurrent: 2);
        await h.AddAgentAsync("bob", maxConcurrent: 2);
        await h.RequestAsync("c1");
        h.Clock.Advance(TimeSpan.FromSeconds(1));
        await h.RequestAsync("c2");

        var offers = RoutingHarness.Offers(await h.Router.MatchAsync());

        Assert.Equal([("c1", "ann"), ("c2", "bob")], offers);
        Assert.Equal(1, (await h.SeatAsync("ann")).PendingOffers);
        Assert.Equal(1, (await h.SeatAsync("bob")).PendingOffers);
    }

    [Fact]
    public async Task Idle_agents_take_turns_the_one_assigned_longest_ago_goes_next()
    {
        var h = new RoutingHarness();
        await h.AddAgentAsync("ann", maxConcurrent: 2);
        await h.AddAgentAsync("bob", maxConcurrent: 2);

        await h.RequestAsync("c1");
        await h.GiveAsync("c1", "ann");
        await h.Store.ReleaseAsync("ann", "c1");
        h.Clock.Advance(TimeSpan.FromMinutes(1));

        await h.RequestAsync("c2");
        await h.GiveAsync("c2", "bob");
        await h.Store.ReleaseAsync("bob", "c2");
        h.Clock.Advance(TimeSpan.FromMinutes(5));

        await h.RequestAsync("c3");
        Assert.Equal([("c3", "ann")], RoutingHarness.Offers(await h.Router.MatchAsync()));
    }

    [Fact]
    public async Task Request_for_a_skill_is_offered_only_to_agents_with_that_skill()
    {
        var h = new RoutingHarness();
        await h.AddAgentAsync("tech-only", skills: "tech");
        await h.AddAgentAsync("billing-too", skills: "tech,Billing");
        await h.RequestAsync("c1", skill: "billing");

        Assert.Equal([("c1", "billing-too")], RoutingHarness.Offers(await h.Router.MatchAsync()));
    }
}
