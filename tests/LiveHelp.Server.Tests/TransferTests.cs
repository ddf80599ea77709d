using LiveHelp.Client;
using LiveHelp.Core;
using LiveHelp.Core.Contracts;
using LiveHelp.Core.Conversations;

namespace LiveHelp.Server.Tests;

public sealed class TransferTests : ServerTest
{
    private static RequestHelpInput Blender => new()
    {
        Topic = "general",
        Mode = HelpMode.Chat,
        Details = "The blender arrived broken",
        Name = "Chris",
        Email = "chris@example.org",
        OrderId = "A-1001",
        PageUrl = "https://shop.example/orders/A-1001",
    };

    [Fact]
    public async Task Handing_over_to_another_agent_keeps_the_customer_connected_and_the_new_agent_sees_the_note()
    {
        var ann = await AgentAsync("ann");
        var bob = await AgentAsync("bob", status: AgentStatus.Away);
        var (customer, _, id) = await ConversationAsync(ann, input: Blender);
        await customer.SendMessageAsync(id, "It makes a grinding noise");
        await bob.SetStatusAsync(AgentStatus.Online);
        var customerJoined = new Inbox<AgentJoined>(h => customer.AgentJoined += h);
        var customerMessages = new Inbox<Message>(h => customer.MessageReceived += h);
        var customerDropped = new Inbox<Exception?>(h => customer.Reconnecting += h);
        var bobAssigned = new Inbox<ConversationView>(h => bob.Assigned += h);
        var bobMessages = new Inbox<Message>(h => bob.MessageReceived += h);
        var annUnassigned = new Inbox<Unassigned>(h => ann.Unassigned += h);
        var connectionId = customer.Connection.ConnectionId;

        await ann.TransferAsync(id, new TransferInput { ToAgentId = bob.AgentId, Note = "Replacement approved; needs a new delivery slot" });

        var joined = await customerJoined.NextAsync();
        Assert.Equal(bob.AgentId, joined.AgentId);
        Assert.Equal("Bob", joined.AgentName);
        Assert.Contains("Bob", (await customerMessages.NextAsync(m => m.Kind == MessageKind.System)).Text);
        var assigned = await bobAssigned.NextAsync();
        Assert.Equal(id, assigned.Id);
        Assert.Equal(bob.AgentId, assigned.AgentId);
        Assert.Equal("The blender arrived broken", assigned.PreQualification.Details);
        Assert.Equal("A-1001", assigned.PreQualification.OrderId);
        var unassigned = await annUnassigned.NextAsync();
        Assert.Equal(id, unassigned.ConversationId);
        Assert.Equal("transferred", unassigned.Reason);

        var history = await bob.ResumeAsync(id, 0);
        Assert.Contains(history.Messages, m => m.Kind == MessageKind.Note && m.Text == "Replacement approved; needs a new delivery slot");
        Assert.Contains(history.Messages, m => m.Text == "It makes a grinding noise");
        Assert.Equal(ErrorCodes.NotFound, (await RefusedAsync(() => ann.SendMessageAsync(id, "One more thing"))).Code);

        await customer.SendMessageAsync(id, "Hi Bob");
        Assert.Equal(MessageKind.Customer, (await bobMessages.NextAsync(m => m.Text == "Hi Bob")).Kind);
        await bob.SendMessageAsync(id, "Hi Chris, I'm Bob. I'll book the replacement.");
        Assert.Equal("Bob", (await customerMessages.NextAsync(m => m.Kind == MessageKind.Agent)).SenderName);

        Assert.Equal(HubConnectionState.Connected, customer.State);
        Assert.Equal(connectionId, customer.Connection.ConnectionId);
        Assert.Empty(customerDropped.Seen);
        Assert.DoesNotContain((await customer.ResumeAsync(id, 0)).Messages, m => m.Kind == MessageKind.Note);
    }

    [Fact]
    public async Task Handing_over_to_an_agent_who_is_away_full_or_unknown_is_refused_and_changes_nothing()
    {
        var ann = await AgentAsync("ann");
        var bob = await AgentAsync("bob", status: AgentStatus.Away);
        var carl = await AgentAsync("carl", maxConcurrent: 1, status: AgentStatus.Away);
        var (customer, _, id) = await ConversationAsync(ann);
        await carl.SetStatusAsync(AgentStatus.Online);
        await ConversationAsync(carl);
        var before = await ann.ResumeAsync(id, 0);
        var customerMessages = new Inbox<Message>(h => customer.MessageReceived += h);

        foreach (var target in new[] { bob.AgentId!, carl.AgentId!, "a_0000000000000000000000000000000" })
        {
            var refused = await RefusedAsync(() => ann.TransferAsync(id, new TransferInput { ToAgentId = target, Note = "Please take over" }));
            Assert.Equal(ErrorCodes.AgentUnavailable, refused.Code);
        }

        var after = await ann.ResumeAsync(id, 0);
        Assert.Equal(ann.AgentId, after.Conversation.AgentId);
        Assert.Equal(ConversationStatus.Active, after.Conversation.Status);
        Assert.Equal(before.Messages.Select(m => m.Seq), after.Messages.Select(m => m.Seq));
        Assert.Equal(id, Assert.Single(await ann.Connection.InvokeAsync<IReadOnlyList<ConversationView>>(Hub.Methods.MyConversations)).Id);
        await ann.SendMessageAsync(id, "I'm still with you.");
        Assert.Equal("I'm still with you.", (await customerMessages.NextAsync(m => m.Kind == MessageKind.Agent)).Text);
        Assert.DoesNotContain(customerMessages.Seen, m => m.Kind == MessageKind.System);
    }

    [Fact]
    public async Task Handing_over_to_a_topic_puts_the_customer_first_in_that_queue_and_the_skilled_agent_who_takes_it_sees_the_note()
    {
        var ann = await AgentAsync("ann", ["general"]);
        var carl = await AgentAsync("carl", ["billing"], maxConcurrent: 1, status: AgentStatus.Away);
        var (customer, _, id) = await ConversationAsync(ann, input: Blender);
        await customer.SendMessageAsync(id, "I was also charged twice");
        await carl.SetStatusAsync(AgentStatus.Online);
        var (_, _, busyId) = await ConversationAsync(carl, input: Help("billing", "Invoice is missing"));
        var waiting = await CustomerAsync();
        var waitingPlaces = new Inbox<QueueUpdate>(h => waiting.QueueUpdated += h);
        var waitingResult = await waiting.RequestHelpAsync(Help("billing", "Where is my refund?"));
        Assert.Equal(1, waitingResult.Place!.Position);
        var customerMessages = new Inbox<Message>(h => customer.MessageReceived += h);
        var customerPlaces = new Inbox<QueueUpdate>(h => customer.QueueUpdated += h);
        var customerJoined = new Inbox<AgentJoined>(h => customer.AgentJoined += h);
        var carlOffers = new Inbox<OfferNotice>(h => carl.OfferReceived += h);
        var annUnassigned = new Inbox<Unassigned>(h => ann.Unassigned += h);

        await ann.TransferAsync(id, new TransferInput { ToTopic = "billing", Note = "Double charge confirmed; please refund one" });

        Assert.Equal("transferred", (await annUnassigned.NextAsync()).Reason);
        Assert.Contains("Billing", (await customerMessages.NextAsync(m => m.Kind == MessageKind.System)).Text);
        Assert.Equal(1, (await customerPlaces.NextAsync()).Position);
        Assert.Equal(2, (await waitingPlaces.NextAsync(u => u.Position != 1)).Position);
        var queue = await carl.GetQueueAsync();
        Assert.Equal([id, waitingResult.Conversation!.Id], queue.Select(e => e.Conversation.Id));
        Assert.Equal(ErrorCodes.NotFound, (await RefusedAsync(() => ann.SendMessageAsync(id, "One more thing"))).Code);

        await carl.CloseAsync(busyId);

        var offer = await carlOffers.NextAsync();
        Assert.Equal(id, offer.ConversationId);
        Assert.Equal("billing", offer.Conversation.Topic);
        Assert.Equal("Double charge confirmed; please refund one", offer.TransferNote);
        Assert.Equal("The blender arrived broken", offer.Conversation.PreQualification.Details);
        Assert.Equal("A-1001", offer.Conversation.PreQualification.OrderId);
        await carl.AcceptOfferAsync(id);
        Assert.Equal("Carl", (await customerJoined.NextAsync()).AgentName);
        var history = await carl.ResumeAsync(id, 0);
        Assert.Contains(history.Messages, m => m.Kind == MessageKind.Note && m.Text == "Double charge confirmed; please refund one");
        Assert.Contains(history.Messages, m => m.Text == "I was also charged twice");
        Assert.DoesNotContain((await customer.ResumeAsync(id, 0)).Messages, m => m.Kind == MessageKind.Note);
    }

    [Fact]
    public async Task Handing_over_to_a_team_the_agent_is_in_goes_to_a_colleague_and_never_back_unless_nobody_else_has_the_skill()
    {
        var ann = await AgentAsync("ann", ["general", "billing"], maxConcurrent: 3);
        var bob = await AgentAsync("bob", ["billing"], maxConcurrent: 1, status: AgentStatus.Away);
        var (_, _, first) = await ConversationAsync(ann, input: Blender);
        var annOffers = new Inbox<OfferNotice>(h => ann.OfferReceived += h);
        var bobOffers = new Inbox<OfferNotice>(h => bob.OfferReceived += h);
        await bob.SetStatusAsync(AgentStatus.Online);
        var (_, _, busy) = await ConversationAsync(bob, input: Help("billing", "Invoice is missing"));

        // Bob is busy: the conversation waits for him, although Ann has room and the skill.
        await ann.TransferAsync(first, new TransferInput { ToTopic = "billing" });
        await bob.CloseAsync(busy);

        await bobOffers.NextAsync(o => o.ConversationId == first);
        Assert.DoesNotContain(annOffers.Seen, o => o.ConversationId == first);

        // Nobody else online has the skill: passed on, it comes back to Ann rather than wait for nobody.
        await bob.SetStatusAsync(AgentStatus.Offline);
        var (_, _, second) = await ConversationAsync(ann, input: Help("general", "Another question"));
        await ann.TransferAsync(second, new TransferInput { ToTopic = "billing" });
        Assert.Equal(second, (await annOffers.NextAsync(o => o.ConversationId == second)).ConversationId);
    }

    [Fact]
    public async Task After_two_hand_overs_the_agent_still_sees_everything_the_customer_said_when_asking_for_help()
    {
        var ann = await AgentAsync("ann", ["general"]);
        var bob = await AgentAsync("bob", ["general"], status: AgentStatus.Away);
        var carl = await AgentAsync("carl", ["billing"], status: AgentStatus.Away);
        var (_, _, id) = await ConversationAsync(ann, input: Blender);
        await bob.SetStatusAsync(AgentStatus.Online);
        var carlOffers = new Inbox<OfferNotice>(h => carl.OfferReceived += h);

        await ann.TransferAsync(id, new TransferInput { ToAgentId = bob.AgentId, Note = "Wants a replacement" });
        await bob.TransferAsync(id, new TransferInput { ToTopic = "billing", Note = "Replacement is out of stock; offer a refund" });
        await carl.SetStatusAsync(AgentStatus.Online);

        var offer = await carlOffers.NextAsync();
        Assert.Equal(id, offer.ConversationId);
        var told = offer.Conversation.PreQualification;
        Assert.Equal("The blender arrived broken", told.Details);
        Assert.Equal("Chris", told.Name);
        Assert.Equal("chris@example.org", told.Email);
        Assert.Equal("A-1001", told.OrderId);
        Assert.Equal("https://shop.example/orders/A-1001", told.PageUrl);
        var view = await carl.AcceptOfferAsync(id);
        Assert.Equal(told, view.PreQualification);
        var notes = (await carl.ResumeAsync(id, 0)).Messages.Where(m => m.Kind == MessageKind.Note).Select(m => m.Text);
        Assert.Equal(["Wants a replacement", "Replacement is out of stock; offer a refund"], notes);
    }

    [Fact]
    public async Task A_send_retried_after_the_conversation_was_handed_over_gets_the_stored_message_back_and_nothing_twice()
    {
        var ann = await AgentAsync("ann");
        var bob = await AgentAsync("bob", status: AgentStatus.Away);
        var carl = await AgentAsync("carl", status: AgentStatus.Away);
        var (customer, _, id) = await ConversationAsync(ann);
        var sent = await ann.SendMessageAsync(id, "Let me check the warehouse", "ann-1");
        var noted = await ann.AddNoteAsync(id, "Stock system is slow today", "ann-note-1");
        await bob.SetStatusAsync(AgentStatus.Online);
        var bobAssigned = new Inbox<ConversationView>(h => bob.Assigned += h);
        await ann.TransferAsync(id, new TransferInput { ToAgentId = bob.AgentId });
        await bobAssigned.NextAsync(v => v.Id == id);

        // Ann's console never saw the answers and sends both again with the same ids.
        var resent = await ann.SendMessageAsync(id, "Let me check the warehouse", "ann-1");
        var renoted = await ann.AddNoteAsync(id, "Stock system is slow today", "ann-note-1");

        Assert.Equal(sent.Seq, resent.Seq);
        Assert.Equal(sent.Text, resent.Text);
        Assert.Equal(noted.Seq, renoted.Seq);
        Assert.Equal(ErrorCodes.NotFound, (await RefusedAsync(() => ann.SendMessageAsync(id, "One more thing", "ann-2"))).Code);
        Assert.Equal(ErrorCodes.NotFound, (await RefusedAsync(() => carl.SendMessageAsync(id, "Let me check the warehouse", "ann-1"))).Code);
        Assert.Equal(ErrorCodes.NotFound, (await RefusedAsync(() => carl.AddNoteAsync(id, "Stock system is slow today", "ann-note-1"))).Code);

        // The same holds for a customer whose send is retried after the conversation closed.
        var asked = await customer.SendMessageAsync(id, "Thanks, I'll wait", "customer-1");
        await bob.CloseAsync(id);
        Assert.Equal(asked.Seq, (await customer.SendMessageAsync(id, "Thanks, I'll wait", "customer-1")).Seq);
        Assert.Equal(ErrorCodes.ConversationClosed, (await RefusedAsync(() => customer.SendMessageAsync(id, "Hello?", "customer-2"))).Code);

        var transcript = (await bob.ResumeAsync(id, 0)).Messages;
        Assert.Single(transcript, m => m.Text == "Let me check the warehouse");
        Assert.Single(transcript, m => m.Text == "Stock system is slow today");
        Assert.Single(transcript, m => m.Text == "Thanks, I'll wait");
    }
}
