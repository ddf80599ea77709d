using LiveHelp.Core.Routing;

namespace LiveHelp.Core.Tests.Routing.Store;

/// <summary>
/// The contract of <see cref="IRoutingStore"/>: every store (in memory, SQLite, PostgreSQL) derives from this class and
/// passes the same suite. Only the interface is used here.
/// </summary>
public abstract class RoutingStoreBehaviour
{
    protected static readonly DateTimeOffset T0 = new(2025, 1, 6, 9, 0, 0, TimeSpan.Zero);

    protected abstract Task<IRoutingStore> CreateStoreAsync();

    private static AgentProfile Profile(string agentId, int maxConcurrent = 1, string skills = "billing", bool autoAccept = false) =>
        new(agentId, $"Agent {agentId}", skills.Split(','), maxConcurrent, autoAccept);

    private static async Task AgentAsync(
        IRoutingStore store, string agentId, int maxConcurrent = 1, string skills = "billing", AgentStatus status = AgentStatus.Online, bool connected = true)
    {
        await store.UpsertProfileAsync(Profile(agentId, maxConcurrent, skills));
        await store.SetStatusAsync(agentId, status);
        if (connected)
        {
            await store.ConnectAsync(agentId);
        }
    }

    private static HelpRequest Request(string id, string skill = "billing", int priority = 0, int secondsAfterT0 = 0, bool requeued = false) => new()
    {
        Id = id,
        Skill = skill,
        Mode = priority > 0 ? HelpMode.Mayday : HelpMode.Chat,
        Priority = priority,
        EnqueuedAt = T0.AddSeconds(secondsAfterT0),
        Requeued = requeued,
    };

    private static async Task<AgentSeat> SeatAsync(IRoutingStore store, string agentId) =>
        Expect.Found(await store.FindSeatAsync(agentId));

    [Fact]
    public async Task Available_seats_are_the_agents_online_with_a_connection_with_what_they_hold()
    {
        var store = await CreateStoreAsync();
        await AgentAsync(store, "on", maxConcurrent: 2);
        await AgentAsync(store, "away", status: AgentStatus.Away);
        await AgentAsync(store, "unplugged", connected: false);
        await AgentAsync(store, "left");
        await store.DisconnectAsync("left", T0);
        await store.AttachAsync("c1", "on", T0);
        await store.AttachAsync("c2", "away", T0);

        var available = Assert.Single(await store.ListAvailableSeatsAsync());

        Assert.Equal("on", available.AgentId);
        Assert.Equal(["c1"], available.Conversations);
        Assert.Equal(1, available.Connections);
    }

    // Queue

    [Fact]
    public async Task Enqueued_request_is_found_with_everything_it_was_given()
    {
        var store = await CreateStoreAsync();
        var request = Request("c1", skill: "tech", priority: 3, secondsAfterT0: 7, requeued: true);

        await store.EnqueueAsync(request);

        var found = Expect.Found(await store.FindRequestAsync("c1"));
        Assert.Equal("c1", found.Id);
        Assert.Equal("tech", found.Skill);
        Assert.Equal(HelpMode.Mayday, found.Mode);
        Assert.Equal(3, found.Priority);
        Assert.Equal(T0.AddSeconds(7), found.EnqueuedAt);
        Assert.True(found.Requeued);
        Assert.Empty(found.PassedOver);
    }

    [Fact]
    public async Task A_request_requeued_by_the_agent_who_passed_it_on_keeps_who_that_was_and_their_note_and_the_seat_lets_go()
    {
        var store = await CreateStoreAsync();
        await AgentAsync(store, "ann", maxConcurrent: 2);
        await store.EnqueueAsync(Request("c1"));
        Assert.True(await store.TryClaimAsync("c1", "ann", requireOffer: false, T0));

        await store.RequeueAsync(Request("c1", skill: "tech", secondsAfterT0: 9, requeued: true) with { TransferredFrom = "ann", TransferNote = "Refund it" }, "ann");

        var queued = Assert.Single(await store.ListQueueAsync());
        Assert.Equal(("c1", "tech", "ann", "Refund it", true), (queued.Id, queued.Skill, queued.TransferredFrom, queued.TransferNote, queued.Requeued));
        Assert.Empty(Expect.Found(await store.FindSeatAsync("ann")).Conversations);
    }

    [Fact]
    public async Task Unknown_request_is_not_found()
    {
        var store = await CreateStoreAsync();

        Assert.Null(await store.FindRequestAsync("nope"));
        Assert.Empty(await store.ListQueueAsync());
    }

    [Fact]
    public async Task Enqueueing_the_same_conversation_again_replaces_it_instead_of_queueing_it_twice()
    {
        var store = await CreateStoreAsync();
        await store.EnqueueAsync(Request("c1", skill: "billing"));

        await store.EnqueueAsync(Request("c1", skill: "tech", requeued: true));

        var queued = Assert.Single(await store.ListQueueAsync());
        Assert.Equal("tech", queued.Skill);
        Assert.True(queued.Requeued);
    }

    [Fact]
    public async Task Reinstating_queues_a_conversation_only_when_it_is_neither_queued_nor_held_by_an_agent()
    {
        var store = await CreateStoreAsync();
        await AgentAsync(store, "ann");
        await store.EnqueueAsync(Request("held"));
        Assert.True(await store.TryClaimAsync("held", "ann", requireOffer: false, T0));
        await store.EnqueueAsync(Request("queued", skill: "billing"));

        Assert.False(await store.TryReinstateAsync(Request("held")));
        Assert.False(await store.TryReinstateAsync(Request("queued", skill: "tech")));
        Assert.True(await store.TryReinstateAsync(Request("lost", secondsAfterT0: 3)));

        Assert.Equal(["lost", "queued"], (await store.ListQueueAsync()).Select(r => r.Id).Order(StringComparer.Ordinal));
        Assert.Equal("billing", Expect.Found(await store.FindRequestAsync("queued")).Skill);
        Assert.Equal(T0.AddSeconds(3), Expect.Found(await store.FindRequestAsync("lost")).EnqueuedAt);
    }

    [Fact]
    public async Task Queue_is_listed_requeued_first_then_by_priority_then_by_age()
    {
        var store = await CreateStoreAsync();
        await store.EnqueueAsync(Request("old-chat", priority: 0, secondsAfterT0: 0));
        await store.EnqueueAsync(Request("new-chat", priority: 0, secondsAfterT0: 20));
        await store.EnqueueAsync(Request("mayday", priority: 1, secondsAfterT0: 30));
        await store.EnqueueAsync(Request("requeued-chat", priority: 0, secondsAfterT0: 40, requeued: true));
        await store.EnqueueAsync(Request("mid-chat", priority: 0, secondsAfterT0: 10));

        var order = (await store.ListQueueAsync()).Select(r => r.Id);

        Assert.Equal(["requeued-chat", "mayday", "old-chat", "mid-chat", "new-chat"], order);
    }

    [Fact]
    public async Task Dequeue_removes_the_request()
    {
        var store = await CreateStoreAsync();
        await store.EnqueueAsync(Request("c1"));
        await store.EnqueueAsync(Request("c2"));

        var (removed, withdrawn) = await store.TryDequeueAsync("c1");

        Assert.True(removed);
        Assert.Null(withdrawn);
        Assert.Null(await store.FindRequestAsync("c1"));
        Assert.Equal("c2", Assert.Single(await store.ListQueueAsync()).Id);
    }

    [Fact]
    public async Task Dequeue_of_a_request_not_in_the_queue_removes_nothing()
    {
        var store = await CreateStoreAsync();
        await store.EnqueueAsync(Request("c1"));

        var (removed, withdrawn) = await store.TryDequeueAsync("c2");

        Assert.False(removed);
        Assert.Null(withdrawn);
        Assert.Single(await store.ListQueueAsync());
    }

    [Fact]
    public async Task Dequeue_withdraws_the_requests_offer_and_frees_the_agents_place()
    {
        var store = await CreateStoreAsync();
        await AgentAsync(store, "ann");
        await store.EnqueueAsync(Request("c1"));
        var offer = Expect.Found(await store.TryOfferAsync("c1", "ann", T0.AddSeconds(20)));

        var (removed, withdrawn) = await store.TryDequeueAsync("c1");

        Assert.True(removed);
        Assert.Equal(offer, withdrawn);
        Assert.Empty(await store.ListOffersAsync());
        Assert.Equal(0, (await SeatAsync(store, "ann")).PendingOffers);
        Assert.False(await store.TryClaimAsync("c1", "ann", requireOffer: true, T0));
    }

    // Seats

    [Fact]
    public async Task New_profile_creates_an_offline_seat_with_no_connection_and_no_load()
    {
        var store = await CreateStoreAsync();

        await store.UpsertProfileAsync(Profile("ann", maxConcurrent: 3, skills: "billing,tech"));

        var seat = await SeatAsync(store, "ann");
        Assert.Equal("ann", seat.AgentId);
        Assert.Equal("Agent ann", seat.Profile.DisplayName);
        Assert.Equal(["billing", "tech"], seat.Profile.Skills);
        Assert.Equal(3, seat.Profile.MaxConcurrent);
        Assert.False(seat.Profile.AutoAccept);
        Assert.Equal(AgentStatus.Offline, seat.Status);
        Assert.Equal(0, seat.Connections);
        Assert.Null(seat.DisconnectedAt);
        Assert.Empty(seat.Conversations);
        Assert.Equal(0, seat.PendingOffers);
        Assert.Null(seat.LastAssignedAt);
    }

    [Fact]
    public async Task Unknown_seat_is_not_found()
    {
        var store = await CreateStoreAsync();

        Assert.Null(await store.FindSeatAsync("nobody"));
        Assert.Empty(await store.ListSeatsAsync());
    }

    [Fact]
    public async Task Every_seat_is_listed()
    {
        var store = await CreateStoreAsync();
        await AgentAsync(store, "ann");
        await AgentAsync(store, "bob", status: AgentStatus.Away, connected: false);

        var seats = await store.ListSeatsAsync();

        Assert.Equal(["ann", "bob"], seats.Select(s => s.AgentId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Updating_a_profile_keeps_the_seats_live_state()
    {
        var store = await CreateStoreAsync();
        await AgentAsync(store, "ann", maxConcurrent: 2);
        await store.EnqueueAsync(Request("c1"));
        await store.EnqueueAsync(Request("c2"));
        Assert.True(await store.TryClaimAsync("c1", "ann", requireOffer: false, T0));
        Expect.Found(await store.TryOfferAsync("c2", "ann", T0.AddSeconds(20)));

        await store.UpsertProfileAsync(Profile("ann", maxConcurrent: 4, skills: "billing,tech", autoAccept: true));

        var seat = await SeatAsync(store, "ann");
        Assert.Equal(4, seat.Profile.MaxConcurrent);
        Assert.True(seat.Profile.AutoAccept);
        Assert.Equal(["billing", "tech"], seat.Profile.Skills);
        Assert.Equal(AgentStatus.Online, seat.Status);
        Assert.Equal(1, seat.Connections);
        Assert.Equal(["c1"], seat.Conversations);
        Assert.Equal(1, seat.PendingOffers);
        Assert.Equal(T0, seat.LastAssignedAt);
    }

    [Fact]
    public async Task Status_is_set_as_given()
    {
        var store = await CreateStoreAsync();
        await store.UpsertProfileAsync(Profile("ann"));

        foreach (var status in new[] { AgentStatus.Online, AgentStatus.Away, AgentStatus.Offline, AgentStatus.Online })
        {
            await store.SetStatusAsync("ann", status);
            Assert.Equal(status, (await SeatAsync(store, "ann")).Status);
        }
    }

    [Fact]
    public async Task Connections_are_counted_and_only_the_last_one_closing_starts_the_grace_period()
    {
        var store = await CreateStoreAsync();
        await store.UpsertProfileAsync(Profile("ann"));
        await store.ConnectAsync("ann");
        await store.ConnectAsync("ann");
        Assert.Equal(2, (await SeatAsync(store, "ann")).Connections);

        await store.DisconnectAsync("ann", T0);
        var seat = await SeatAsync(store, "ann");
        Assert.Equal(1, seat.Connections);
        Assert.Null(seat.DisconnectedAt);

        await store.DisconnectAsync("ann", T0.AddSeconds(5));
        seat = await SeatAsync(store, "ann");
        Assert.Equal(0, seat.Connections);
        Assert.Equal(T0.AddSeconds(5), seat.DisconnectedAt);
        Assert.False(seat.IsAvailable);
    }

    [Fact]
    public async Task Connecting_again_ends_the_grace_period()
    {
        var store = await CreateStoreAsync();
        await AgentAsync(store, "ann");
        await store.DisconnectAsync("ann", T0);

        await store.ConnectAsync("ann");

        var seat = await SeatAsync(store, "ann");
        Assert.Equal(1, seat.Connections);
        Assert.Null(seat.DisconnectedAt);
        Assert.True(seat.IsAvailable);
    }

    [Fact]
    public async Task Changes_to_an_unknown_agent_are_ignored()
    {
        var store = await CreateStoreAsync();

        await store.SetStatusAsync("ghost", AgentStatus.Online);
        await store.ConnectAsync("ghost");
        await store.DisconnectAsync("ghost", T0);
        await store.ReleaseAsync("ghost", "c1");

        Assert.Null(await store.FindSeatAsync("ghost"));
    }

    // Offers

    [Fact]
    public async Task Offer_is_listed_and_reserves_a_place_with_the_agent()
    {
        var store = await CreateStoreAsync();
        await AgentAsync(store, "ann", maxConcurrent: 2);
        await store.EnqueueAsync(Request("c1"));

        var offer = Expect.Found(await store.TryOfferAsync("c1", "ann", T0.AddSeconds(20)));

        Assert.Equal(new Offer("c1", "ann", T0.AddSeconds(20)), offer);
        Assert.Equal([offer], await store.ListOffersAsync());
        var seat = await SeatAsync(store, "ann");
        Assert.Equal(1, seat.PendingOffers);
        Assert.Equal(1, seat.Load);
        Expect.Found(await store.FindRequestAsync("c1"));
    }

    [Fact]
    public async Task Offer_matches_the_skill_ignoring_case()
    {
        var store = await CreateStoreAsync();
        await AgentAsync(store, "ann", skills: "Billing");
        await store.EnqueueAsync(Request("c1", skill: "BILLING"));

        Expect.Found(await store.TryOfferAsync("c1", "ann", T0.AddSeconds(20)));
    }

    [Fact]
    public async Task A_request_already_offered_is_not_offered_again()
    {
        var store = await CreateStoreAsync();
        await AgentAsync(store, "ann", maxConcurrent: 2);
        await AgentAsync(store, "bob");
        await store.EnqueueAsync(Request("c1"));
        await store.TryOfferAsync("c1", "ann", T0.AddSeconds(20));

        Assert.Null(await store.TryOfferAsync("c1", "bob", T0.AddSeconds(20)));
        Assert.Null(await store.TryOfferAsync("c1", "ann", T0.AddSeconds(30)));

        Assert.Equal(new Offer("c1", "ann", T0.AddSeconds(20)), Assert.Single(await store.ListOffersAsync()));
        Assert.Equal(1, (await SeatAsync(store, "ann")).PendingOffers);
        Assert.Equal(0, (await SeatAsync(store, "bob")).PendingOffers);
    }

    [Fact]
    public async Task A_request_not_in_the_queue_is_not_offered()
    {
        var store = await CreateStoreAsync();
        await AgentAsync(store, "ann");

        Assert.Null(await store.TryOfferAsync("c1", "ann", T0.AddSeconds(20)));
        Assert.Empty(await store.ListOffersAsync());
        Assert.Equal(0, (await SeatAsync(store, "ann")).PendingOffers);
    }

    [Fact]
    public async Task No_offer_is_made_to_an_agent_who_is_away_offline_disconnected_unskilled_full_or_unknown()
    {
        var store = await CreateStoreAsync();
        await AgentAsync(store, "away", status: AgentStatus.Away);
        await AgentAsync(store, "offline", status: AgentStatus.Offline);
        await AgentAsync(store, "disconnected", connected: false);
        await AgentAsync(store, "unskilled", skills: "tech");
        await AgentAsync(store, "full");
        await store.EnqueueAsync(Request("filler"));
        Assert.True(await store.TryClaimAsync("filler", "full", requireOffer: false, T0));
        await store.EnqueueAsync(Request("c1"));

        foreach (var agent in new[] { "away", "offline", "disconnected", "unskilled", "full", "unknown" })
        {
            Assert.Null(await store.TryOfferAsync("c1", agent, T0.AddSeconds(20)));
        }

        Assert.Empty(await store.ListOffersAsync());
        Assert.All(await store.ListSeatsAsync(), s => Assert.Equal(0, s.PendingOffers));
    }

    [Fact]
    public async Task Pending_offers_fill_the_cap()
    {
        var store = await CreateStoreAsync();
        await AgentAsync(store, "ann", maxConcurrent: 2);
        await store.EnqueueAsync(Request("c1"));
        await store.EnqueueAsync(Request("c2"));
        await store.EnqueueAsync(Request("c3"));

        Expect.Found(await store.TryOfferAsync("c1", "ann", T0));
        Expect.Found(await store.TryOfferAsync("c2", "ann", T0));
        Assert.Null(await store.TryOfferAsync("c3", "ann", T0));

        Assert.Equal(2, (await SeatAsync(store, "ann")).PendingOffers);
    }

    [Fact]
    public async Task Withdrawing_an_offer_frees_the_place_and_passes_the_agent_over_until_the_given_time()
    {
        var store = await CreateStoreAsync();
        await AgentAsync(store, "ann");
        await store.EnqueueAsync(Request("c1"));
        var offer = Expect.Found(await store.TryOfferAsync("c1", "ann", T0.AddSeconds(20)));

        var withdrawn = await store.TryWithdrawOfferAsync("c1", "ann", T0.AddSeconds(80));

        Assert.Equal(offer, withdrawn);
        Assert.Empty(await store.ListOffersAsync());
        Assert.Equal(0, (await SeatAsync(store, "ann")).PendingOffers);
        var request = Expect.Found(await store.FindRequestAsync("c1"));
        Assert.Equal(T0.AddSeconds(80), Assert.Contains("ann", request.PassedOver));
        Assert.Equal("c1", Assert.Single(await store.ListQueueAsync()).Id);
    }

    [Fact]
    public async Task Passed_over_agents_accumulate_and_the_request_can_be_offered_again()
    {
        var store = await CreateStoreAsync();
        await AgentAsync(store, "ann");
        await AgentAsync(store, "bob");
        await store.EnqueueAsync(Request("c1"));
        await store.TryOfferAsync("c1", "ann", T0.AddSeconds(20));
        await store.TryWithdrawOfferAsync("c1", "ann", T0.AddSeconds(60));

        Expect.Found(await store.TryOfferAsync("c1", "bob", T0.AddSeconds(40)));
        await store.TryWithdrawOfferAsync("c1", "bob", T0.AddSeconds(90));

        var request = Expect.Found(await store.FindRequestAsync("c1"));
        Assert.Equal(T0.AddSeconds(60), request.PassedOver["ann"]);
        Assert.Equal(T0.AddSeconds(90), request.PassedOver["bob"]);
    }

    [Fact]
    public async Task Withdrawing_someone_elses_offer_or_no_offer_changes_nothing()
    {
        var store = await CreateStoreAsync();
        await AgentAsync(store, "ann");
        await AgentAsync(store, "bob");
        await store.EnqueueAsync(Request("c1"));
        await store.EnqueueAsync(Request("c2"));
        var offer = Expect.Found(await store.TryOfferAsync("c1", "ann", T0.AddSeconds(20)));

        Assert.Null(await store.TryWithdrawOfferAsync("c1", "bob", T0.AddSeconds(60)));
        Assert.Null(await store.TryWithdrawOfferAsync("c2", "ann", T0.AddSeconds(60)));
        Assert.Null(await store.TryWithdrawOfferAsync("unknown", "ann", T0.AddSeconds(60)));

        Assert.Equal([offer], await store.ListOffersAsync());
        Assert.Equal(1, (await SeatAsync(store, "ann")).PendingOffers);
        Assert.Empty(Expect.Found(await store.FindRequestAsync("c1")).PassedOver);
        Assert.Empty(Expect.Found(await store.FindRequestAsync("c2")).PassedOver);
    }

    // Claims

    [Fact]
    public async Task Claiming_an_offer_moves_the_request_to_the_agents_conversations()
    {
        var store = await CreateStoreAsync();
        await AgentAsync(store, "ann");
        await store.EnqueueAsync(Request("c1"));
        await store.TryOfferAsync("c1", "ann", T0.AddSeconds(20));

        Assert.True(await store.TryClaimAsync("c1", "ann", requireOffer: true, T0.AddSeconds(5)));

        Assert.Null(await store.FindRequestAsync("c1"));
        Assert.Empty(await store.ListQueueAsync());
        Assert.Empty(await store.ListOffersAsync());
        var seat = await SeatAsync(store, "ann");
        Assert.Equal(["c1"], seat.Conversations);
        Assert.Equal(0, seat.PendingOffers);
        Assert.Equal(1, seat.Load);
        Assert.Equal(T0.AddSeconds(5), seat.LastAssignedAt);
    }

    [Fact]
    public async Task The_offer_holder_can_claim_even_after_going_away_because_the_offer_kept_the_place()
    {
        var store = await CreateStoreAsync();
        await AgentAsync(store, "ann");
        await store.EnqueueAsync(Request("c1"));
        await store.TryOfferAsync("c1", "ann", T0.AddSeconds(20));
        await store.SetStatusAsync("ann", AgentStatus.Away);

        Assert.True(await store.TryClaimAsync("c1", "ann", requireOffer: true, T0));
    }

    [Fact]
    public async Task Claiming_with_an_offer_fails_for_anyone_but_the_holder_and_when_there_is_no_offer()
    {
        var store = await CreateStoreAsync();
        await AgentAsync(store, "ann");
        await AgentAsync(store, "bob");
        await store.EnqueueAsync(Request("c1"));
        await store.EnqueueAsync(Request("c2"));
        await store.TryOfferAsync("c1", "ann", T0.AddSeconds(20));

        Assert.False(await store.TryClaimAsync("c1", "bob", requireOffer: true, T0));
        Assert.False(await store.TryClaimAsync("c2", "bob", requireOffer: true, T0));
        Assert.False(await store.TryClaimAsync("c1", "unknown", requireOffer: true, T0));

        Assert.Equal(2, (await store.ListQueueAsync()).Count);
        Assert.Empty((await SeatAsync(store, "bob")).Conversations);
        Assert.Single(await store.ListOffersAsync());
    }

    [Fact]
    public async Task Claiming_twice_fails_the_second_time()
    {
        var store = await CreateStoreAsync();
        await AgentAsync(store, "ann", maxConcurrent: 3);
        await store.EnqueueAsync(Request("c1"));
        await store.TryOfferAsync("c1", "ann", T0.AddSeconds(20));

        Assert.True(await store.TryClaimAsync("c1", "ann", requireOffer: true, T0));
        Assert.False(await store.TryClaimAsync("c1", "ann", requireOffer: true, T0));
        Assert.False(await store.TryClaimAsync("c1", "ann", requireOffer: false, T0));

        Assert.Equal(["c1"], (await SeatAsync(store, "ann")).Conversations);
    }

    [Fact]
    public async Task Claiming_without_an_offer_succeeds_for_an_unoffered_request_and_an_agent_with_room()
    {
        var store = await CreateStoreAsync();
        await AgentAsync(store, "ann", skills: "BILLING");
        await store.EnqueueAsync(Request("c1", skill: "billing"));

        Assert.True(await store.TryClaimAsync("c1", "ann", requireOffer: false, T0.AddSeconds(3)));

        var seat = await SeatAsync(store, "ann");
        Assert.Equal(["c1"], seat.Conversations);
        Assert.Equal(T0.AddSeconds(3), seat.LastAssignedAt);
        Assert.Empty(await store.ListQueueAsync());
    }

    [Fact]
    public async Task Claiming_without_an_offer_fails_when_the_request_is_offered_even_to_the_claimer()
    {
        var store = await CreateStoreAsync();
        await AgentAsync(store, "ann", maxConcurrent: 2);
        await AgentAsync(store, "bob");
        await store.EnqueueAsync(Request("c1"));
        await store.TryOfferAsync("c1", "ann", T0.AddSeconds(20));

        Assert.False(await store.TryClaimAsync("c1", "bob", requireOffer: false, T0));
        Assert.False(await store.TryClaimAsync("c1", "ann", requireOffer: false, T0));

        Assert.Single(await store.ListOffersAsync());
        Assert.Single(await store.ListQueueAsync());
    }

    [Fact]
    public async Task Claiming_without_an_offer_fails_for_an_agent_without_room_availability_or_skill()
    {
        var store = await CreateStoreAsync();
        await AgentAsync(store, "away", status: AgentStatus.Away);
        await AgentAsync(store, "disconnected", connected: false);
        await AgentAsync(store, "unskilled", skills: "tech");
        await AgentAsync(store, "full");
        await store.EnqueueAsync(Request("other"));
        await store.TryOfferAsync("other", "full", T0.AddSeconds(20));
        await store.EnqueueAsync(Request("c1"));

        foreach (var agent in new[] { "away", "disconnected", "unskilled", "full", "unknown" })
        {
            Assert.False(await store.TryClaimAsync("c1", agent, requireOffer: false, T0), agent);
        }

        Assert.Equal(2, (await store.ListQueueAsync()).Count);
        Assert.All(await store.ListSeatsAsync(), s => Assert.Empty(s.Conversations));
    }

    // Assignments outside the queue

    [Fact]
    public async Task Assigning_gives_the_conversation_to_an_available_agent_with_room()
    {
        var store = await CreateStoreAsync();
        await AgentAsync(store, "ann", maxConcurrent: 2);

        Assert.True(await store.TryAssignAsync("c9", "ann", T0.AddSeconds(9)));

        var seat = await SeatAsync(store, "ann");
        Assert.Equal(["c9"], seat.Conversations);
        Assert.Equal(T0.AddSeconds(9), seat.LastAssignedAt);
    }

    [Fact]
    public async Task Assigning_fails_for_an_agent_away_disconnected_full_or_unknown()
    {
        var store = await CreateStoreAsync();
        await AgentAsync(store, "away", status: AgentStatus.Away);
        await AgentAsync(store, "disconnected", connected: false);
        await AgentAsync(store, "full");
        await AgentAsync(store, "full-by-offer");
        Assert.True(await store.TryAssignAsync("held", "full", T0));
        await store.EnqueueAsync(Request("offered"));
        Expect.Found(await store.TryOfferAsync("offered", "full-by-offer", T0.AddSeconds(20)));

        foreach (var agent in new[] { "away", "disconnected", "full", "full-by-offer", "unknown" })
        {
            Assert.False(await store.TryAssignAsync("c9", agent, T0), agent);
        }

        Assert.DoesNotContain(await store.ListSeatsAsync(), s => s.Conversations.Contains("c9"));
    }

    [Fact]
    public async Task Attaching_records_the_conversation_regardless_of_room_or_status()
    {
        var store = await CreateStoreAsync();
        await AgentAsync(store, "ann", maxConcurrent: 1, status: AgentStatus.Offline, connected: false);

        await store.AttachAsync("c1", "ann", T0);
        await store.AttachAsync("c2", "ann", T0);
        await store.AttachAsync("c2", "ann", T0);

        Assert.Equal(["c1", "c2"], (await SeatAsync(store, "ann")).Conversations.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Attaching_starts_the_grace_period_only_of_an_agent_without_a_connection()
    {
        var store = await CreateStoreAsync();
        await AgentAsync(store, "ann", connected: false);
        await AgentAsync(store, "bob");

        await store.AttachAsync("c1", "ann", T0);
        await store.AttachAsync("c2", "bob", T0);
        await store.AttachAsync("c3", "ann", T0.AddSeconds(5));

        var ann = await SeatAsync(store, "ann");
        Assert.True(ann.DisconnectedAt?.EqualsExact(T0));
        Assert.Equal(0, ann.Connections);
        var bob = await SeatAsync(store, "bob");
        Assert.Null(bob.DisconnectedAt);
        Assert.Equal(1, bob.Connections);
    }

    [Fact]
    public async Task Releasing_removes_only_that_conversation()
    {
        var store = await CreateStoreAsync();
        await AgentAsync(store, "ann", maxConcurrent: 3);
        await store.TryAssignAsync("c1", "ann", T0);
        await store.TryAssignAsync("c2", "ann", T0);

        await store.ReleaseAsync("ann", "c1");
        await store.ReleaseAsync("ann", "not-held");

        Assert.Equal(["c2"], (await SeatAsync(store, "ann")).Conversations);
    }

    // Retirement after the grace period

    [Fact]
    public async Task Retiring_an_agent_disconnected_long_enough_sets_them_offline_and_releases_everything()
    {
        var store = await CreateStoreAsync();
        await AgentAsync(store, "ann", maxConcurrent: 3);
        await store.TryAssignAsync("c2", "ann", T0);
        await store.TryAssignAsync("c1", "ann", T0);
        await store.DisconnectAsync("ann", T0.AddSeconds(10));

        var released = await store.TryRetireAsync("ann", T0.AddSeconds(10));

        Assert.Equal(["c1", "c2"], Expect.Found(released).Order(StringComparer.Ordinal));
        var seat = await SeatAsync(store, "ann");
        Assert.Equal(AgentStatus.Offline, seat.Status);
        Assert.Empty(seat.Conversations);
    }

    [Fact]
    public async Task Retiring_fails_while_connected_or_disconnected_too_recently()
    {
        var store = await CreateStoreAsync();
        await AgentAsync(store, "ann", maxConcurrent: 3);
        await store.TryAssignAsync("c1", "ann", T0);

        Assert.Null(await store.TryRetireAsync("ann", T0.AddHours(1)));

        await store.DisconnectAsync("ann", T0.AddSeconds(10));
        Assert.Null(await store.TryRetireAsync("ann", T0.AddSeconds(9)));

        var seat = await SeatAsync(store, "ann");
        Assert.Equal(AgentStatus.Online, seat.Status);
        Assert.Equal(["c1"], seat.Conversations);
    }

    [Fact]
    public async Task Retiring_fails_once_the_agent_reconnected()
    {
        var store = await CreateStoreAsync();
        await AgentAsync(store, "ann");
        await store.TryAssignAsync("c1", "ann", T0);
        await store.DisconnectAsync("ann", T0);
        await store.ConnectAsync("ann");

        Assert.Null(await store.TryRetireAsync("ann", T0.AddHours(1)));

        Assert.Equal(["c1"], (await SeatAsync(store, "ann")).Conversations);
    }

    [Fact]
    public async Task Retiring_happens_only_once()
    {
        var store = await CreateStoreAsync();
        await AgentAsync(store, "ann");
        await store.TryAssignAsync("c1", "ann", T0);
        await store.DisconnectAsync("ann", T0);
        Expect.Found(await store.TryRetireAsync("ann", T0));

        Assert.Null(await store.TryRetireAsync("ann", T0.AddHours(1)));
    }

    [Fact]
    public async Task Retiring_an_agent_who_never_connected_or_does_not_exist_does_nothing()
    {
        var store = await CreateStoreAsync();
        await store.UpsertProfileAsync(Profile("ann"));

        Assert.Null(await store.TryRetireAsync("ann", T0.AddHours(1)));
        Assert.Null(await store.TryRetireAsync("nobody", T0.AddHours(1)));
    }

    // Atomicity under concurrency

    [Fact]
    public async Task Of_many_agents_claiming_one_request_at_once_exactly_one_wins()
    {
        var store = await CreateStoreAsync();
        var agents = Enumerable.Range(0, 8).Select(i => $"agent{i}").ToArray();
        foreach (var agent in agents)
        {
            await AgentAsync(store, agent, maxConcurrent: 100);
        }

        for (var round = 0; round < 100; round++)
        {
            var id = $"c{round}";
            await store.EnqueueAsync(Request(id));

            var results = await Race.RunAsync(agents.Length, i => store.TryClaimAsync(id, agents[i], requireOffer: false, T0));

            Assert.Single(results, won => won);
            Assert.Single(await store.ListSeatsAsync(), s => s.Conversations.Contains(id));
            Assert.Null(await store.FindRequestAsync(id));
        }
    }

    [Fact]
    public async Task One_agent_claiming_many_requests_at_once_never_goes_over_the_cap()
    {
        var store = await CreateStoreAsync();
        for (var round = 0; round < 30; round++)
        {
            var agent = $"agent{round}";
            await AgentAsync(store, agent, maxConcurrent: 3);
            var ids = Enumerable.Range(0, 12).Select(i => $"r{round}-c{i}").ToArray();
            foreach (var id in ids)
            {
                await store.EnqueueAsync(Request(id));
            }

            var results = await Race.RunAsync(ids.Length, i => store.TryClaimAsync(ids[i], agent, requireOffer: false, T0));

            Assert.Equal(3, results.Count(won => won));
            Assert.Equal(3, (await SeatAsync(store, agent)).Conversations.Count);
            await store.SetStatusAsync(agent, AgentStatus.Offline);
            foreach (var id in ids)
            {
                await store.TryDequeueAsync(id);
            }
        }
    }

    [Fact]
    public async Task Offering_one_request_to_many_agents_at_once_makes_exactly_one_offer()
    {
        var store = await CreateStoreAsync();
        var agents = Enumerable.Range(0, 8).Select(i => $"agent{i}").ToArray();
        foreach (var agent in agents)
        {
            await AgentAsync(store, agent);
        }
        await store.EnqueueAsync(Request("c1"));

        var results = await Race.RunAsync(agents.Length, async i => await store.TryOfferAsync("c1", agents[i], T0.AddSeconds(20)) is not null);

        Assert.Single(results, made => made);
        var offer = Assert.Single(await store.ListOffersAsync());
        Assert.All(await store.ListSeatsAsync(), s => Assert.Equal(s.AgentId == offer.AgentId ? 1 : 0, s.PendingOffers));
    }

    [Fact]
    public async Task Offers_and_assignments_racing_for_one_agent_never_go_over_the_cap()
    {
        var store = await CreateStoreAsync();
        await AgentAsync(store, "ann", maxConcurrent: 4);
        for (var i = 0; i < 10; i++)
        {
            await store.EnqueueAsync(Request($"q{i}", secondsAfterT0: i));
        }

        var results = await Race.RunAsync(30, async i => (i % 3) switch
        {
            0 => await store.TryOfferAsync($"q{i / 3}", "ann", T0.AddSeconds(20)) is not null,
            1 => await store.TryClaimAsync($"q{i / 3}", "ann", requireOffer: false, T0),
            _ => await store.TryAssignAsync($"t{i}", "ann", T0),
        });

        var seat = await SeatAsync(store, "ann");
        Assert.Equal(4, results.Count(won => won));
        Assert.Equal(4, seat.Load);
        Assert.Equal((await store.ListOffersAsync()).Count, seat.PendingOffers);
    }

    [Fact]
    public async Task Connections_opening_and_closing_at_once_are_all_counted()
    {
        var store = await CreateStoreAsync();
        await AgentAsync(store, "ann", connected: false);

        await Race.RunAsync(20, async _ =>
        {
            await store.ConnectAsync("ann");
            return true;
        });
        Assert.Equal(20, (await SeatAsync(store, "ann")).Connections);

        await Race.RunAsync(19, async _ =>
        {
            await store.DisconnectAsync("ann", T0);
            return true;
        });
        var seat = await SeatAsync(store, "ann");
        Assert.Equal(1, seat.Connections);
        Assert.Null(seat.DisconnectedAt);
    }
}
