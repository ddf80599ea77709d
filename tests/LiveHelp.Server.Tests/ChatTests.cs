using System.Net.Http.Json;
using LiveHelp.Client;
using LiveHelp.Core;
using LiveHelp.Core.Contracts;
using LiveHelp.Core.Conversations;

namespace LiveHelp.Server.Tests;

public sealed class ChatTests : ServerTest
{
    private readonly ManualClock _time = new(DateTimeOffset.UtcNow);

    protected override TimeProvider? Clock => _time;

    [Fact]
    public async Task Customer_and_agent_each_see_what_the_other_writes_in_order()
    {
        var ann = await AgentAsync("ann");
        var (customer, _, id) = await ConversationAsync(ann);
        var annMessages = new Inbox<Message>(h => ann.MessageReceived += h);
        var customerMessages = new Inbox<Message>(h => customer.MessageReceived += h);

        var question = await customer.SendMessageAsync(id, "Hi, my parcel is late");
        var heard = await annMessages.NextAsync(m => m.Kind == MessageKind.Customer);
        Assert.Equal(question.Seq, heard.Seq);
        Assert.Equal("Hi, my parcel is late", heard.Text);

        var answer = await ann.SendMessageAsync(id, "Hi, I'm Ann. Let me check the tracking.");
        var read = await customerMessages.NextAsync(m => m.Kind == MessageKind.Agent);
        Assert.Equal(answer.Seq, read.Seq);
        Assert.Equal("Hi, I'm Ann. Let me check the tracking.", read.Text);
        Assert.Equal("Ann", read.SenderName);

        var thanks = await customer.SendMessageAsync(id, "Thank you");
        Assert.Equal(thanks.Seq, (await annMessages.NextAsync(m => m.Text == "Thank you")).Seq);

        Assert.True(question.Seq < answer.Seq && answer.Seq < thanks.Seq);
        // The agent's client holds what came after the accept; the question from the form came before it.
        await ann.ResumeAsync(id, 0);
        Assert.Equal(customer.Transcript(id).Select(m => (m.Seq, m.Text)), ann.Transcript(id).Select(m => (m.Seq, m.Text)));
    }

    [Fact]
    public async Task A_customers_messages_carry_the_name_they_gave_and_nobody_else_can_write_into_the_conversation()
    {
        var ann = await AgentAsync("ann");
        // Bob serves another topic, so the request is Ann's and never his.
        var bob = await AgentAsync("bob", ["billing"]);
        var (customer, _, id) = await ConversationAsync(ann, input: Help() with { Name = "Dana" });
        var stranger = await CustomerAsync();

        var first = await customer.SendMessageAsync(id, "Hi, it is Dana");
        var second = await customer.SendMessageAsync(id, "Still me");

        Assert.Equal(("Dana", "Dana"), (first.SenderName, second.SenderName));
        // After the customer has written, a stranger or another agent still gets what an unknown conversation gets.
        Assert.Equal(ErrorCodes.NotFound, (await RefusedAsync(() => stranger.SendMessageAsync(id, "Hi, it is Dana"))).Code);
        Assert.Equal(ErrorCodes.NotFound, (await RefusedAsync(() => bob.SendMessageAsync(id, "Bob here"))).Code);
        var stored = await ann.ResumeAsync(id, 0);
        Assert.Equal(
            [(customer.VisitorId, "My order has not arrived"), (customer.VisitorId, "Hi, it is Dana"), (customer.VisitorId, "Still me")],
            stored.Messages.Where(m => m.Kind is MessageKind.Customer or MessageKind.Agent).Select(m => (m.SenderId, m.Text)));
        Assert.True(first.Seq < second.Seq);
    }

    [Fact]
    public async Task The_question_asked_in_the_form_opens_the_conversation_as_the_customers_own_message()
    {
        var ann = await AgentAsync("ann");
        var offers = new Inbox<OfferNotice>(h => ann.OfferReceived += h);
        var customer = await CustomerAsync();
        var input = Help(details: "My parcel never came") with { Name = "Chris" };
        var id = (await customer.RequestHelpAsync(input)).Conversation!.Id;
        // Pressed again (a retry, a reload): the same conversation, and the question is not asked twice.
        Assert.Equal(id, (await customer.RequestHelpAsync(input)).Conversation!.Id);

        var mine = await customer.ResumeAsync(id, 0);
        var question = Assert.Single(mine.Messages);
        Assert.Equal((1L, MessageKind.Customer, customer.VisitorId, "Chris", "My parcel never came"),
            (question.Seq, question.Kind, question.SenderId, question.SenderName, question.Text));
        Assert.Equal(mine.Conversation.CreatedAt, question.SentAt);
        // The customer wrote it, so nothing in it is unread for them; the agent has not read it yet.
        Assert.Equal(1, mine.Conversation.CustomerReadSeq);
        Assert.Equal(0, mine.Conversation.AgentReadSeq);

        // Offers and the queue still carry the form as it was filled in.
        Assert.Equal("My parcel never came", (await offers.NextAsync(o => o.ConversationId == id)).Conversation.PreQualification.Details);
        Assert.Equal("My parcel never came", Assert.Single(await ann.GetQueueAsync()).Conversation.PreQualification.Details);

        await ann.AcceptOfferAsync(id);
        var reply = await ann.SendMessageAsync(id, "Hi Chris, let me look.");
        Assert.Equal(
            ["My parcel never came", "Ann joined the conversation.", "Hi Chris, let me look."],
            (await ann.ResumeAsync(id, 0)).Messages.Select(m => m.Text));
        Assert.Equal(3, reply.Seq);
        using var http = Host.Http(customer.Token);
        Assert.Contains("Chris (customer): My parcel never came", await http.GetStringAsync($"/api/conversations/{id}/transcript.txt"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_with_nothing_typed_in_the_form_opens_with_no_message()
    {
        var ann = await AgentAsync("ann");
        var (customer, _, id) = await ConversationAsync(ann, input: Help() with { Details = "   " });
        Assert.Equal(["Ann joined the conversation."], (await customer.ResumeAsync(id, 0)).Messages.Select(m => m.Text));
    }

    [Fact]
    public async Task A_message_retried_with_the_same_client_id_is_stored_and_delivered_once()
    {
        var ann = await AgentAsync("ann");
        var (customer, _, id) = await ConversationAsync(ann);
        var delivered = new Inbox<Message>(h => ann.Connection.On<Message>(nameof(IHelpClient.message), m => h(ann, m)));

        var first = await customer.SendMessageAsync(id, "Is anyone there?", clientMessageId: "retry-1");
        var retried = await customer.SendMessageAsync(id, "Is anyone there?", clientMessageId: "retry-1");
        var marker = await customer.SendMessageAsync(id, "Hello?");

        Assert.Equal(first.Seq, retried.Seq);
        Assert.Equal(first.Text, retried.Text);
        Assert.Equal(first.Seq + 1, marker.Seq);
        await delivered.NextAsync(m => m.Seq == marker.Seq);
        Assert.Single(delivered.Seen, m => m.ClientMessageId == "retry-1");
        var stored = await customer.ResumeAsync(id, 0);
        Assert.Single(stored.Messages, m => m.ClientMessageId == "retry-1");
    }

    [Fact]
    public async Task Typing_notices_reach_the_other_side_only()
    {
        var ann = await AgentAsync("ann");
        var (customer, _, id) = await ConversationAsync(ann);
        var annTyping = new Inbox<TypingNotice>(h => ann.Typing += h);
        var customerTyping = new Inbox<TypingNotice>(h => customer.Typing += h);

        await customer.TypingAsync(id, true);
        var customerIsTyping = await annTyping.NextAsync();
        Assert.Equal(id, customerIsTyping.ConversationId);
        Assert.Equal(Roles.Customer, customerIsTyping.Role);
        Assert.True(customerIsTyping.IsTyping);

        await ann.TypingAsync(id, true);
        var annIsTyping = await customerTyping.NextAsync();
        Assert.Equal(Roles.Agent, annIsTyping.Role);
        Assert.Equal("Ann", annIsTyping.Name);
        Assert.True(annIsTyping.IsTyping);

        await customer.TypingAsync(id, false);
        var customerStopped = await annTyping.NextAsync();
        Assert.Equal(Roles.Customer, customerStopped.Role);
        Assert.False(customerStopped.IsTyping);

        await ann.TypingAsync(id, false);
        var annStopped = await customerTyping.NextAsync();
        Assert.Equal(Roles.Agent, annStopped.Role);
        Assert.False(annStopped.IsTyping);

        Assert.All(annTyping.Seen, t => Assert.Equal(Roles.Customer, t.Role));
        Assert.All(customerTyping.Seen, t => Assert.Equal(Roles.Agent, t.Role));
    }

    [Fact]
    public async Task Read_receipts_reach_the_other_side_and_are_kept_with_the_conversation()
    {
        var ann = await AgentAsync("ann");
        var (customer, _, id) = await ConversationAsync(ann);
        var annReads = new Inbox<ReadNotice>(h => ann.Read += h);
        var customerReads = new Inbox<ReadNotice>(h => customer.Read += h);

        var question = await customer.SendMessageAsync(id, "Can I change the delivery address?");
        var answer = await ann.SendMessageAsync(id, "Yes, which address?");

        await customer.MarkReadAsync(id, answer.Seq);
        var customerRead = await annReads.NextAsync();
        Assert.Equal(id, customerRead.ConversationId);
        Assert.Equal(Roles.Customer, customerRead.Role);
        Assert.Equal(answer.Seq, customerRead.Seq);

        await ann.MarkReadAsync(id, question.Seq);
        var annRead = await customerReads.NextAsync();
        Assert.Equal(Roles.Agent, annRead.Role);
        Assert.Equal(question.Seq, annRead.Seq);

        Assert.All(annReads.Seen, r => Assert.Equal(Roles.Customer, r.Role));
        Assert.All(customerReads.Seen, r => Assert.Equal(Roles.Agent, r.Role));
        var seenByCustomer = (await customer.ResumeAsync(id, 0)).Conversation;
        Assert.Equal(answer.Seq, seenByCustomer.CustomerReadSeq);
        Assert.Equal(question.Seq, seenByCustomer.AgentReadSeq);
        var seenByAnn = (await ann.ResumeAsync(id, 0)).Conversation;
        Assert.Equal(answer.Seq, seenByAnn.CustomerReadSeq);
        Assert.Equal(question.Seq, seenByAnn.AgentReadSeq);
    }

    [Fact]
    public async Task A_read_mark_past_the_last_message_stops_at_it_so_later_messages_are_not_shown_as_seen()
    {
        var ann = await AgentAsync("ann");
        var (customer, _, id) = await ConversationAsync(ann);
        var annReads = new Inbox<ReadNotice>(h => ann.Read += h);
        var answer = await ann.SendMessageAsync(id, "Your parcel left the depot this morning.");

        await customer.MarkReadAsync(id, 1_000_000_000_000);

        Assert.Equal(answer.Seq, (await annReads.NextAsync()).Seq);
        var later = await ann.SendMessageAsync(id, "It should arrive tomorrow.");
        var view = (await ann.ResumeAsync(id, 0)).Conversation;
        Assert.Equal(answer.Seq, view.CustomerReadSeq);
        Assert.True(view.CustomerReadSeq < later.Seq, "a message the customer has not read must not show as seen");
    }

    [Fact]
    public async Task A_read_mark_that_does_not_move_forward_tells_the_other_side_nothing()
    {
        var ann = await AgentAsync("ann");
        var (customer, _, id) = await ConversationAsync(ann);
        var annReads = new Inbox<ReadNotice>(h => ann.Read += h);
        var first = await ann.SendMessageAsync(id, "Hello, how can I help?");
        var second = await ann.SendMessageAsync(id, "Are you there?");
        await customer.MarkReadAsync(id, second.Seq);
        Assert.Equal(second.Seq, (await annReads.NextAsync()).Seq);

        await customer.MarkReadAsync(id, second.Seq);
        await customer.MarkReadAsync(id, first.Seq);
        await customer.MarkReadAsync(id, 0);
        var third = await ann.SendMessageAsync(id, "Take your time.");
        await customer.MarkReadAsync(id, third.Seq);

        Assert.Equal(third.Seq, (await annReads.NextAsync()).Seq);
        Assert.Equal([second.Seq, third.Seq], annReads.Seen.Select(r => r.Seq));
    }

    [Fact]
    public async Task A_burst_of_typing_notices_is_not_all_relayed_and_leaves_messages_alone()
    {
        var ann = await AgentAsync("ann");
        var (customer, _, id) = await ConversationAsync(ann);
        var annTyping = new Inbox<TypingNotice>(h => ann.Typing += h);
        var annMessages = new Inbox<Message>(h => ann.MessageReceived += h);

        var outcomes = await BurstAsync(300, i => customer.TypingAsync(id, i % 2 == 0));
        var marker = await customer.SendMessageAsync(id, "Sorry, my cat walked on the keyboard");
        await annMessages.NextAsync(m => m.Seq == marker.Seq);

        var accepted = outcomes.Count(e => e is null);
        Assert.Contains(outcomes, e => e is not null);
        Assert.All(outcomes.OfType<LiveHelpHubException>(), e => Assert.Equal(ErrorCodes.RateLimited, e.Code));
        Assert.All(outcomes.OfType<LiveHelpHubException>(), e => Assert.StartsWith("too many typing notices;", e.Message, StringComparison.Ordinal));
        Assert.True(accepted >= 20, $"the allowance of 20 should pass, {accepted} did");
        Assert.Equal(accepted, annTyping.Seen.Count);
    }

    [Fact]
    public async Task A_burst_of_read_marks_is_limited()
    {
        var ann = await AgentAsync("ann");
        var (customer, _, id) = await ConversationAsync(ann);
        var annReads = new Inbox<ReadNotice>(h => ann.Read += h);
        var answer = await ann.SendMessageAsync(id, "Anything else?");

        var outcomes = await BurstAsync(300, i => customer.MarkReadAsync(id, answer.Seq));

        Assert.Contains(outcomes, e => e is not null);
        Assert.All(outcomes.OfType<LiveHelpHubException>(), e => Assert.Equal(ErrorCodes.RateLimited, e.Code));
        Assert.All(outcomes.OfType<LiveHelpHubException>(), e => Assert.StartsWith("too many read marks;", e.Message, StringComparison.Ordinal));
        Assert.True(outcomes.Count(e => e is null) >= 20, "the allowance of 20 should pass");
        Assert.Equal(answer.Seq, (await annReads.NextAsync()).Seq);
        Assert.Equal(answer.Seq, (await ann.ResumeAsync(id, 0)).Conversation.CustomerReadSeq);
    }

    /// <summary>Makes <paramref name="count"/> calls one after the other; the refusal of each, or null.</summary>
    private static async Task<List<LiveHelpHubException?>> BurstAsync(int count, Func<int, Task> call)
    {
        var outcomes = new List<LiveHelpHubException?>();
        for (var i = 0; i < count; i++)
        {
            try
            {
                await call(i);
                outcomes.Add(null);
            }
            catch (LiveHelpHubException e)
            {
                outcomes.Add(e);
            }
        }
        return outcomes;
    }

    [Fact]
    public async Task Internal_notes_reach_the_agent_and_watching_supervisors_but_never_the_customer()
    {
        var ann = await AgentAsync("ann");
        var sue = await AgentAsync("sue", role: Roles.Supervisor, status: AgentStatus.Offline);
        var (customer, _, id) = await ConversationAsync(ann);
        var annMessages = new Inbox<Message>(h => ann.MessageReceived += h);
        var sueMessages = new Inbox<Message>(h => sue.MessageReceived += h);
        var customerMessages = new Inbox<Message>(h => customer.Connection.On<Message>(nameof(IHelpClient.message), m => h(customer, m)));
        await sue.WatchAsync(id);

        var note = await ann.AddNoteAsync(id, "Customer was double charged last month too");
        Assert.Equal(MessageKind.Note, note.Kind);
        var reply = await ann.SendMessageAsync(id, "I'm looking into it now.");

        Assert.Equal(note.Seq, (await annMessages.NextAsync(m => m.Kind == MessageKind.Note)).Seq);
        Assert.Equal("Customer was double charged last month too", (await sueMessages.NextAsync(m => m.Kind == MessageKind.Note)).Text);
        Assert.Equal(reply.Seq, (await sueMessages.NextAsync(m => m.Kind == MessageKind.Agent)).Seq);
        Assert.Equal(reply.Seq, (await customerMessages.NextAsync(m => m.Kind != MessageKind.System)).Seq);
        Assert.DoesNotContain(customerMessages.Seen, m => m.Kind == MessageKind.Note);
        Assert.DoesNotContain(customer.Transcript(id), m => m.Kind == MessageKind.Note);

        var resumed = await customer.ResumeAsync(id, 0);
        Assert.DoesNotContain(resumed.Messages, m => m.Kind == MessageKind.Note || m.Text.Contains("double charged", StringComparison.Ordinal));
        Assert.Contains(resumed.Messages, m => m.Seq == reply.Seq);
        using var http = Host.Http(customer.Token);
        var transcript = await http.GetFromJsonAsync<ResumeResult>($"/api/conversations/{id}/transcript", Json.Options);
        Assert.DoesNotContain(transcript!.Messages, m => m.Kind == MessageKind.Note);
        Assert.DoesNotContain("double charged", await http.GetStringAsync($"/api/conversations/{id}/transcript.txt"), StringComparison.Ordinal);
        Assert.Contains((await ann.ResumeAsync(id, 0)).Messages, m => m.Seq == note.Seq);
    }

    [Fact]
    public async Task Time_to_first_response_is_taken_from_the_agents_first_reply_only()
    {
        var ann = await AgentAsync("ann");
        var (customer, _, id) = await ConversationAsync(ann);

        _time.Advance(TimeSpan.FromSeconds(3));
        await customer.SendMessageAsync(id, "Hello?");
        _time.Advance(TimeSpan.FromSeconds(2));
        await ann.AddNoteAsync(id, "Checking the order first");
        Assert.Null((await customer.ResumeAsync(id, 0)).Conversation.FirstResponseSeconds);

        _time.Advance(TimeSpan.FromSeconds(2));
        await ann.SendMessageAsync(id, "Hi, I'm Ann. I have your order here.");
        _time.Advance(TimeSpan.FromSeconds(30));
        await ann.SendMessageAsync(id, "It ships tomorrow.");
        await customer.SendMessageAsync(id, "Thanks");

        Assert.Equal(7, (await customer.ResumeAsync(id, 0)).Conversation.FirstResponseSeconds);
        Assert.Equal(7, (await ann.ResumeAsync(id, 0)).Conversation.FirstResponseSeconds);
    }

    [Fact]
    public async Task Closing_tells_both_sides_and_frees_the_agent_for_the_next_customer()
    {
        var ann = await AgentAsync("ann", maxConcurrent: 1);
        var (customer, _, id) = await ConversationAsync(ann);
        var annClosed = new Inbox<ConversationClosed>(h => ann.ConversationClosed += h);
        var customerClosed = new Inbox<ConversationClosed>(h => customer.ConversationClosed += h);
        var offers = new Inbox<OfferNotice>(h => ann.OfferReceived += h);
        var next = await CustomerAsync();
        var nextId = (await next.RequestHelpAsync(Help())).Conversation!.Id;
        Assert.Null(Assert.Single(await ann.GetQueueAsync()).OfferedTo);

        await customer.CloseAsync(id);

        var toAnn = await annClosed.NextAsync();
        Assert.Equal(id, toAnn.ConversationId);
        Assert.Equal(Roles.Customer, toAnn.ClosedBy);
        Assert.Equal(Roles.Customer, (await customerClosed.NextAsync()).ClosedBy);
        Assert.Equal(ErrorCodes.ConversationClosed, (await RefusedAsync(() => ann.SendMessageAsync(id, "Are you still there?"))).Code);
        Assert.Equal(nextId, (await offers.NextAsync()).ConversationId);

        await ann.AcceptOfferAsync(nextId);
        var nextClosed = new Inbox<ConversationClosed>(h => next.ConversationClosed += h);
        await ann.CloseAsync(nextId);

        Assert.Equal(Roles.Agent, (await nextClosed.NextAsync()).ClosedBy);
        Assert.Equal(Roles.Agent, (await annClosed.NextAsync(c => c.ConversationId == nextId)).ClosedBy);
        Assert.Equal(ConversationStatus.Closed, (await next.ResumeAsync(nextId, 0)).Conversation.Status);
    }
}
