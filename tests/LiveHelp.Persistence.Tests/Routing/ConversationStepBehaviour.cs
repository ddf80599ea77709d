using LiveHelp.Core;
using LiveHelp.Core.Accounts;
using LiveHelp.Core.Conversations;
using LiveHelp.Core.Routing;
using LiveHelp.Core.Tests;

namespace LiveHelp.Persistence.Tests.Routing;

/// <summary>
/// A routing step and the change to its conversation are one transaction in the store of record: both stand, or
/// neither does, so a refusal or a failure half-way leaves the conversation and the routing state agreeing.
/// </summary>
public abstract class ConversationStepBehaviour : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 6, 9, 0, 0, TimeSpan.Zero);

    protected abstract RoutingDatabase Database { get; }

    private SqlRoutingStore Routing { get; set; } = null!;

    private IConversationStore Conversations => Database.Conversations;

    public async Task InitializeAsync()
    {
        Routing = await Database.OpenAsync("node-a");
        foreach (var (id, name) in new[] { ("ann", "Ann"), ("bob", "Bob") })
        {
            await Routing.UpsertProfileAsync(new AgentProfile(id, name, ["billing"], 2, AutoAccept: false));
            await Routing.SetStatusAsync(id, AgentStatus.Online);
            await Routing.ConnectAsync(id);
        }
    }

    public async Task DisposeAsync() => await Database.DisposeAsync();

    private async Task<Conversation> QueuedAsync(string id)
    {
        await Conversations.AddVisitorAsync(new Visitor { Id = "v-" + id, CreatedAt = T0 });
        var conversation = await Conversations.AddConversationAsync(new Conversation
        {
            Id = id,
            VisitorId = "v-" + id,
            Topic = "billing",
            Status = ConversationStatus.Queued,
            CreatedAt = T0,
            EnqueuedAt = T0,
        });
        await Routing.EnqueueAsync(new HelpRequest { Id = id, Skill = "billing", EnqueuedAt = T0 });
        return conversation;
    }

    private async Task<Conversation> HeldByAnnAsync(string id)
    {
        await QueuedAsync(id);
        Assert.True(await Routing.TryClaimAsync(id, "ann", requireOffer: false, T0, c => c.AssignTo("ann", "Ann", T0)));
        return Expect.Found(await Conversations.FindConversationAsync(id));
    }

    private async Task<Conversation> StoredAsync(string id) => Expect.Found(await Conversations.FindConversationAsync(id));

    [Fact]
    public async Task An_update_from_a_copy_read_before_the_customer_went_away_keeps_them_away()
    {
        var before = await HeldByAnnAsync("c1");
        await Routing.ReportAsync("c1", CustomerPresence.Away, T0.AddMinutes(1));

        Assert.NotNull(await Conversations.TryUpdateConversationAsync(before with { AgentReadSeq = 1 }));

        var stored = await StoredAsync("c1");
        Assert.Equal((CustomerPresence.Away, T0.AddMinutes(1), 1L), (stored.Presence, stored.PresenceSince, stored.AgentReadSeq));
    }

    private async Task<IReadOnlySet<string>> HeldAsync(string agentId) => Expect.Found(await Routing.FindSeatAsync(agentId)).Conversations;

    [Fact]
    public async Task A_claim_makes_the_conversation_the_agents_in_the_same_step()
    {
        await QueuedAsync("c1");

        Assert.True(await Routing.TryClaimAsync("c1", "ann", requireOffer: false, T0.AddSeconds(3), c => c.AssignTo("ann", "Ann", T0.AddSeconds(3))));

        var stored = await StoredAsync("c1");
        Assert.Equal((ConversationStatus.Active, "ann", "Ann"), (stored.Status, stored.AgentId, stored.AgentName));
        Assert.Equal(T0.AddSeconds(3), stored.FirstAssignedAt);
        Assert.Equal(["c1"], await HeldAsync("ann"));
        Assert.Empty(await Routing.ListQueueAsync());
    }

    [Fact]
    public async Task A_claim_of_a_conversation_closed_meanwhile_is_refused_and_takes_it_out_of_the_queue_without_a_seat_holding_it()
    {
        var queued = await QueuedAsync("c1");
        Assert.NotNull(await Conversations.TryUpdateConversationAsync(queued.Close(Roles.Customer, T0.AddSeconds(1))));

        Assert.False(await Routing.TryClaimAsync("c1", "ann", requireOffer: false, T0.AddSeconds(2), c => c.AssignTo("ann", "Ann", T0.AddSeconds(2))));

        Assert.Equal(ConversationStatus.Closed, (await StoredAsync("c1")).Status);
        Assert.Empty(await HeldAsync("ann"));
        Assert.Empty(await Routing.ListQueueAsync());
    }

    [Fact]
    public async Task A_transfer_moves_the_seats_and_the_conversation_together()
    {
        await HeldByAnnAsync("c1");

        Assert.True(await Routing.TryAssignAsync("c1", "bob", T0.AddSeconds(5), "ann", c => c.TransferTo("ann", "bob", "Bob")));

        Assert.Equal(("bob", "Bob"), ((await StoredAsync("c1")).AgentId, (await StoredAsync("c1")).AgentName));
        Assert.Empty(await HeldAsync("ann"));
        Assert.Equal(["c1"], await HeldAsync("bob"));
    }

    [Fact]
    public async Task A_transfer_the_conversation_refuses_changes_nothing_at_all()
    {
        var held = await HeldByAnnAsync("c1");

        // Bob passes on a conversation that is Ann's: the conversation's guard refuses, and the seats stay as they were.
        var refusal = await Assert.ThrowsAsync<LiveHelpException>(() =>
            Routing.TryAssignAsync("c1", "ann", T0.AddSeconds(5), "bob", c => c.TransferTo("bob", "ann", "Ann")));

        Assert.Equal(ErrorCodes.Conflict, refusal.Code);
        Assert.Equal(held, await StoredAsync("c1"));
        Assert.Equal(["c1"], await HeldAsync("ann"));
        Assert.Empty(await HeldAsync("bob"));
    }

    [Fact]
    public async Task A_step_that_fails_half_way_leaves_the_routing_state_as_it_was()
    {
        var held = await HeldByAnnAsync("c1");

        // The store fails after the seats moved and before the conversation is written, as a lost connection would.
        await Assert.ThrowsAsync<IOException>(() =>
            Routing.TryAssignAsync("c1", "bob", T0.AddSeconds(5), "ann", _ => throw new IOException("connection lost")));

        Assert.Equal(held, await StoredAsync("c1"));
        Assert.Equal(["c1"], await HeldAsync("ann"));
        Assert.Empty(await HeldAsync("bob"));
    }

    [Fact]
    public async Task A_requeue_lets_go_queues_and_marks_the_conversation_waiting_in_one_step()
    {
        await HeldByAnnAsync("c1");
        var request = new HelpRequest { Id = "c1", Skill = "billing", EnqueuedAt = T0.AddSeconds(9), Requeued = true };

        await Routing.RequeueAsync(request, "ann", c => c.Requeue("ann", "billing", T0.AddSeconds(9)));

        var stored = await StoredAsync("c1");
        Assert.Equal((ConversationStatus.Queued, null, true), (stored.Status, stored.AgentId, stored.Requeued));
        Assert.Empty(await HeldAsync("ann"));
        Assert.Equal("c1", Assert.Single(await Routing.ListQueueAsync()).Id);
    }

    [Fact]
    public async Task A_requeue_of_a_conversation_that_moved_on_leaves_it_with_its_agent_and_out_of_the_queue()
    {
        await HeldByAnnAsync("c1");
        Assert.True(await Routing.TryAssignAsync("c1", "bob", T0.AddSeconds(5), "ann", c => c.TransferTo("ann", "bob", "Bob")));
        var request = new HelpRequest { Id = "c1", Skill = "billing", EnqueuedAt = T0.AddSeconds(9), Requeued = true };

        // Ann's grace period ends on another node that still thinks the conversation is hers.
        await Assert.ThrowsAsync<LiveHelpException>(() => Routing.RequeueAsync(request, "ann", c => c.Requeue("ann", "billing", T0.AddSeconds(9))));

        Assert.Equal((ConversationStatus.Active, "bob"), ((await StoredAsync("c1")).Status, (await StoredAsync("c1")).AgentId));
        Assert.Equal(["c1"], await HeldAsync("bob"));
        Assert.Empty(await Routing.ListQueueAsync());
    }

    [Fact]
    public async Task Ending_a_waiting_conversation_withdraws_its_offer_and_closes_it()
    {
        await QueuedAsync("c1");
        Assert.NotNull(await Routing.TryOfferAsync("c1", "ann", T0.AddSeconds(30)));

        var withdrawn = await Routing.EndAsync("c1", c => c.Close(Roles.Customer, T0.AddSeconds(4)));

        Assert.Equal("ann", withdrawn?.AgentId);
        Assert.Equal(ConversationStatus.Closed, (await StoredAsync("c1")).Status);
        Assert.Empty(await Routing.ListQueueAsync());
        Assert.Equal(0, Expect.Found(await Routing.FindSeatAsync("ann")).PendingOffers);
    }

    [Fact]
    public async Task Ending_a_conversation_frees_its_agents_seat_and_a_second_end_changes_nothing()
    {
        await HeldByAnnAsync("c1");

        Assert.Null(await Routing.EndAsync("c1", c => c.Close(Roles.Agent, T0.AddSeconds(4))));
        var closed = await StoredAsync("c1");
        var again = await Assert.ThrowsAsync<LiveHelpException>(() => Routing.EndAsync("c1", c => c.Close(Roles.Customer, T0.AddSeconds(5))));

        Assert.Equal(ErrorCodes.ConversationClosed, again.Code);
        Assert.Equal((ConversationStatus.Closed, "agent"), (closed.Status, closed.ClosedBy));
        Assert.Equal(closed, await StoredAsync("c1"));
        Assert.Empty(await HeldAsync("ann"));
    }

    [Fact]
    public async Task Cancelling_takes_the_request_out_of_the_queue_and_cancels_the_conversation_together()
    {
        await QueuedAsync("c1");

        var (removed, _) = await Routing.TryDequeueAsync("c1", c => c.Cancel(T0.AddSeconds(2)));

        Assert.True(removed);
        Assert.Equal(ConversationStatus.Cancelled, (await StoredAsync("c1")).Status);
        Assert.Empty(await Routing.ListQueueAsync());
    }
}

public sealed class SqliteConversationStepTests : ConversationStepBehaviour
{
    protected override RoutingDatabase Database { get; } = new SqliteRoutingDatabase();
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresConversationStepTests(PostgresFixture postgres) : ConversationStepBehaviour
{
    protected override RoutingDatabase Database { get; } = new PostgresRoutingDatabase(postgres);
}
