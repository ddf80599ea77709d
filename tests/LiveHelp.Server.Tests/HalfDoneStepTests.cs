using LiveHelp.Core.Contracts;
using LiveHelp.Core.Conversations;
using LiveHelp.Core.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace LiveHelp.Server.Tests;

/// <summary>A routing step that a node's crash cut in two: the clock finishes it, so nobody is left waiting.</summary>
public sealed class HalfDoneStepTests : ServerTest
{
    [Fact]
    public async Task An_accept_whose_node_died_after_the_seat_took_the_conversation_is_finished_by_the_clock()
    {
        var ann = await AgentAsync("ann");
        var offers = new Inbox<OfferNotice>(h => ann.OfferReceived += h);
        var assigned = new Inbox<ConversationView>(h => ann.Assigned += h);
        var customer = await CustomerAsync();
        var joined = new Inbox<AgentJoined>(h => customer.AgentJoined += h);
        var id = (await customer.RequestHelpAsync(Help())).Conversation!.Id;
        await offers.NextAsync(o => o.ConversationId == id);

        // The first half of an accept, as the node that took it made it before it died: the seat holds the conversation,
        // but the conversation was never marked as Ann's.
        var routing = Host.Services.GetRequiredService<IRoutingStore>();
        Assert.True(await routing.TryClaimAsync(id, ann.AgentId!, requireOffer: true, DateTimeOffset.UtcNow));

        Assert.Equal("Ann", (await joined.NextAsync(j => j.ConversationId == id)).AgentName);
        Assert.Equal(id, (await assigned.NextAsync(c => c.Id == id)).Id);
        Assert.Equal(ConversationStatus.Active, (await customer.ResumeAsync(id, 0)).Conversation.Status);
    }

    [Fact]
    public async Task A_requeue_whose_node_died_before_the_gone_agents_seat_let_go_reaches_the_next_agent()
    {
        var ann = await AgentAsync("ann");
        var bob = await AgentAsync("bob", status: Core.AgentStatus.Away);
        var (customer, _, id) = await ConversationAsync(ann);
        var bobOffers = new Inbox<OfferNotice>(h => bob.OfferReceived += h);
        await ann.StopAsync();

        // The first half of a requeue, as the node that made it stored it before it died: the conversation is waiting
        // again, but Ann's seat still holds it.
        var store = Host.Services.GetRequiredService<IConversationStore>();
        var held = (await store.FindConversationAsync(id))!;
        Assert.NotNull(await store.TryUpdateConversationAsync(held.Requeue(ann.AgentId!, held.Topic, DateTimeOffset.UtcNow.AddSeconds(-10))));
        await bob.SetStatusAsync(Core.AgentStatus.Online);

        var offer = await bobOffers.NextAsync(o => o.ConversationId == id);
        await bob.AcceptOfferAsync(offer.ConversationId);
        Assert.Equal(ConversationStatus.Active, (await customer.ResumeAsync(id, 0)).Conversation.Status);
    }
}
