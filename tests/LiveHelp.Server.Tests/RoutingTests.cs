using System.Net.Http.Json;
using LiveHelp.Core;
using LiveHelp.Core.Contracts;
using LiveHelp.Core.Conversations;
using Microsoft.Extensions.DependencyInjection;

namespace LiveHelp.Server.Tests;

public sealed class RoutingTests : ServerTest
{
    private static readonly TimeSpan OfferTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(500);

    private readonly ManualClock _time = new(DateTimeOffset.UtcNow);

    protected override TimeProvider? Clock => _time;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["LiveHelp:Routing:OfferTimeout"] = "00:00:20",
        ["LiveHelp:Routing:AgentGracePeriod"] = "00:00:30",
    };

    [Fact]
    public async Task With_nobody_online_the_customer_is_told_at_once_and_leaves_a_message_an_agent_reads_later()
    {
        var ann = await AgentAsync("ann", status: AgentStatus.Offline);
        var customer = await CustomerAsync();

        var result = await customer.RequestHelpAsync(Help("billing"));

        Assert.Equal(RequestHelpStatus.NoAgentsOnline, result.Status);
        Assert.Null(result.Conversation);
        Assert.Null(result.Place);
        Assert.Empty(await customer.MyConversationsAsync());
        Assert.Empty(await ann.GetQueueAsync());

        await customer.LeaveMessageAsync(new OfflineMessageInput
        {
            Text = "Please call me back about order 42",
            Topic = "billing",
            Name = "Chris",
            Email = "chris@example.org",
        });

        using var http = Host.Http(ann.Token);
        var messages = await http.GetFromJsonAsync<List<OfflineMessage>>("/api/offline-messages", Json.Options);
        var message = Assert.Single(messages!);
        Assert.Equal("Please call me back about order 42", message.Text);
        Assert.Equal("billing", message.Topic);
        Assert.Equal("Chris", message.Name);
        Assert.Equal("chris@example.org", message.Email);
        Assert.Equal(customer.VisitorId, message.VisitorId);
    }

    [Fact]
    public async Task A_waiting_customer_sees_their_place_and_expected_wait_and_moves_up_as_those_ahead_are_served()
    {
        var ann = await AgentAsync("ann", maxConcurrent: 1);
        var offers = new Inbox<OfferNotice>(h => ann.OfferReceived += h);

        var first = await CustomerAsync();
        var firstId = (await first.RequestHelpAsync(Help())).Conversation!.Id;
        await offers.NextAsync(o => o.ConversationId == firstId);

        _time.Advance(TimeSpan.FromSeconds(1));
        var second = await CustomerAsync();
        var secondPlaces = new Inbox<QueueUpdate>(h => second.QueueUpdated += h);
        var secondResult = await second.RequestHelpAsync(Help());
        var secondId = secondResult.Conversation!.Id;
        Assert.Equal(RequestHelpStatus.Queued, secondResult.Status);
        Assert.Equal(2, secondResult.Place!.Position);
        Assert.True(secondResult.Place.EstimatedWaitSeconds > 0);
        var secondUpdate = await secondPlaces.NextAsync();
        Assert.Equal(secondId, secondUpdate.ConversationId);
        Assert.Equal(2, secondUpdate.Position);

        _time.Advance(TimeSpan.FromSeconds(1));
        var third = await CustomerAsync();
        var thirdPlaces = new Inbox<QueueUpdate>(h => third.QueueUpdated += h);
        var thirdResult = await third.RequestHelpAsync(Help());
        Assert.Equal(3, thirdResult.Place!.Position);
        Assert.True(thirdResult.Place.EstimatedWaitSeconds > secondResult.Place.EstimatedWaitSeconds);
        Assert.Equal(3, (await thirdPlaces.NextAsync()).Position);

        await ann.AcceptOfferAsync(firstId);
        Assert.Equal(1, (await secondPlaces.NextAsync()).Position);
        var thirdMoved = await thirdPlaces.NextAsync();
        Assert.Equal(2, thirdMoved.Position);
        Assert.True(thirdMoved.EstimatedWaitSeconds > 0);

        await ann.CloseAsync(firstId);
        await offers.NextAsync(o => o.ConversationId == secondId);
        await ann.AcceptOfferAsync(secondId);
        await thirdPlaces.NextAsync(u => u.Position == 1);

        var positions = thirdPlaces.Seen.Select(u => u.Position).ToList();
        Assert.Equal(positions.OrderByDescending(p => p), positions);
        Assert.Equal([3, 2, 1], positions.Distinct());
    }

    [Fact]
    public async Task A_request_nobody_can_take_waits_and_is_offered_the_moment_a_fitting_agent_goes_online()
    {
        var ann = await AgentAsync("ann", ["general"]);
        var bob = await AgentAsync("bob", ["billing"], status: AgentStatus.Away);
        var bobOffers = new Inbox<OfferNotice>(h => bob.OfferReceived += h);
        var customer = await CustomerAsync();

        var result = await customer.RequestHelpAsync(Help("billing"));

        Assert.Equal(RequestHelpStatus.Queued, result.Status);
        var waiting = Assert.Single(await ann.GetQueueAsync());
        Assert.Equal(result.Conversation!.Id, waiting.Conversation.Id);
        Assert.Null(waiting.OfferedTo);

        await bob.SetStatusAsync(AgentStatus.Online);

        var offer = await bobOffers.NextAsync();
        Assert.Equal(result.Conversation.Id, offer.ConversationId);
        Assert.Equal("billing", offer.Conversation.Topic);
    }

    [Fact]
    public async Task An_offer_nobody_answers_lapses_at_the_deadline_the_silent_agent_is_set_away_and_the_next_agent_gets_it()
    {
        var ann = await AgentAsync("ann");
        var annOffers = new Inbox<OfferNotice>(h => ann.OfferReceived += h);
        var annWithdrawn = new Inbox<OfferWithdrawn>(h => ann.OfferWithdrawn += h);
        var annStatus = new Inbox<StatusChanged>(h => ann.StatusChanged += h);
        var bob = await AgentAsync("bob", status: AgentStatus.Away);
        var bobOffers = new Inbox<OfferNotice>(h => bob.OfferReceived += h);
        var customer = await CustomerAsync();
        var joined = new Inbox<AgentJoined>(h => customer.AgentJoined += h);

        var id = (await customer.RequestHelpAsync(Help())).Conversation!.Id;
        var offer = await annOffers.NextAsync(o => o.ConversationId == id);
        Assert.Equal(_time.GetUtcNow() + OfferTimeout, offer.Deadline);
        await bob.SetStatusAsync(AgentStatus.Online);
        Assert.Equal(ann.AgentId, Assert.Single(await bob.GetQueueAsync()).OfferedTo);

        _time.Advance(OfferTimeout - TimeSpan.FromSeconds(1));
        await annWithdrawn.NoneAsync(null, Quiet);
        Assert.Equal(ann.AgentId, Assert.Single(await bob.GetQueueAsync()).OfferedTo);
        _time.Advance(TimeSpan.FromSeconds(2));

        var withdrawn = await annWithdrawn.NextAsync();
        Assert.Equal(id, withdrawn.ConversationId);
        Assert.Equal("lapsed", withdrawn.Reason);
        var away = await annStatus.NextAsync(s => s.Reason == "missed_offer");
        Assert.Equal(AgentStatus.Away, away.Status);
        Assert.Equal(id, (await bobOffers.NextAsync()).ConversationId);
        Assert.Equal(AgentStatus.Away, (await ListedAgentAsync("ann")).Status);
        Assert.Equal(ErrorCodes.OfferGone, (await RefusedAsync(() => ann.AcceptOfferAsync(id))).Code);

        await bob.AcceptOfferAsync(id);
        Assert.Equal("Bob", (await joined.NextAsync()).AgentName);
    }

    [Fact]
    public async Task An_agent_who_declines_passes_the_customer_to_the_next_agent()
    {
        var ann = await AgentAsync("ann");
        var annOffers = new Inbox<OfferNotice>(h => ann.OfferReceived += h);
        var bob = await AgentAsync("bob", status: AgentStatus.Away);
        var bobOffers = new Inbox<OfferNotice>(h => bob.OfferReceived += h);
        var customer = await CustomerAsync();
        var joined = new Inbox<AgentJoined>(h => customer.AgentJoined += h);

        var id = (await customer.RequestHelpAsync(Help())).Conversation!.Id;
        await annOffers.NextAsync(o => o.ConversationId == id);
        await bob.SetStatusAsync(AgentStatus.Online);

        await ann.DeclineOfferAsync(id);

        Assert.Equal(id, (await bobOffers.NextAsync()).ConversationId);
        Assert.Equal(bob.AgentId, Assert.Single(await ann.GetQueueAsync()).OfferedTo);
        await bob.AcceptOfferAsync(id);
        Assert.Equal("Bob", (await joined.NextAsync()).AgentName);
    }

    [Fact]
    public async Task An_auto_accepting_agent_is_assigned_straight_away_without_an_offer_and_the_customer_sees_them_join()
    {
        var otto = await AgentAsync("otto", autoAccept: true);
        var offers = new Inbox<OfferNotice>(h => otto.OfferReceived += h);
        var assigned = new Inbox<ConversationView>(h => otto.Assigned += h);
        var customer = await CustomerAsync();
        var joined = new Inbox<AgentJoined>(h => customer.AgentJoined += h);

        var result = await customer.RequestHelpAsync(Help());

        Assert.Equal(RequestHelpStatus.Assigned, result.Status);
        Assert.Equal(otto.AgentId, result.Conversation!.AgentId);
        var view = await assigned.NextAsync();
        Assert.Equal(result.Conversation.Id, view.Id);
        Assert.Equal(ConversationStatus.Active, view.Status);
        Assert.Empty(offers.Seen);
        var agentJoined = await joined.NextAsync();
        Assert.Equal(otto.AgentId, agentJoined.AgentId);
        Assert.Equal("Otto", agentJoined.AgentName);
    }

    [Fact]
    public async Task An_agent_at_their_cap_gets_no_offer_until_they_close_a_conversation()
    {
        var ann = await AgentAsync("ann", maxConcurrent: 1);
        var (_, _, firstId) = await ConversationAsync(ann);
        var offers = new Inbox<OfferNotice>(h => ann.OfferReceived += h);

        var next = await CustomerAsync();
        var nextId = (await next.RequestHelpAsync(Help())).Conversation!.Id;

        var waiting = Assert.Single(await ann.GetQueueAsync());
        Assert.Equal(nextId, waiting.Conversation.Id);
        Assert.Null(waiting.OfferedTo);

        await ann.CloseAsync(firstId);

        Assert.Equal(nextId, (await offers.NextAsync()).ConversationId);
    }

    [Fact]
    public async Task A_mayday_request_is_served_before_a_chat_that_asked_earlier()
    {
        await AgentAsync("ann", ["general"]);
        var bob = await AgentAsync("bob", ["billing"], maxConcurrent: 1, status: AgentStatus.Away);
        var bobOffers = new Inbox<OfferNotice>(h => bob.OfferReceived += h);

        var chat = await CustomerAsync();
        var chatId = (await chat.RequestHelpAsync(Help("billing"))).Conversation!.Id;
        _time.Advance(TimeSpan.FromSeconds(1));
        var mayday = await CustomerAsync();
        var maydayId = (await mayday.RequestHelpAsync(Help("billing", "My screen is frozen", HelpMode.Mayday))).Conversation!.Id;

        var queue = await bob.GetQueueAsync();
        Assert.Equal([maydayId, chatId], queue.Select(e => e.Conversation.Id));
        Assert.Equal([1, 2], queue.Select(e => e.Position));

        await bob.SetStatusAsync(AgentStatus.Online);

        var offer = await bobOffers.NextAsync();
        Assert.Equal(maydayId, offer.ConversationId);
        Assert.Equal(HelpMode.Mayday, offer.Conversation.Mode);
    }

    [Fact]
    public async Task A_new_customer_goes_to_the_least_busy_agent_and_on_a_tie_to_the_one_idle_longest()
    {
        var ann = await AgentAsync("ann");
        var annOffers = new Inbox<OfferNotice>(h => ann.OfferReceived += h);
        var bob = await AgentAsync("bob", status: AgentStatus.Away);
        var bobOffers = new Inbox<OfferNotice>(h => bob.OfferReceived += h);
        await ConversationAsync(ann);
        await bob.SetStatusAsync(AgentStatus.Online);

        _time.Advance(TimeSpan.FromSeconds(5));
        var second = await CustomerAsync();
        var secondId = (await second.RequestHelpAsync(Help())).Conversation!.Id;
        Assert.Equal(secondId, (await bobOffers.NextAsync()).ConversationId);
        await bob.AcceptOfferAsync(secondId);

        _time.Advance(TimeSpan.FromSeconds(5));
        var third = await CustomerAsync();
        var thirdId = (await third.RequestHelpAsync(Help())).Conversation!.Id;
        Assert.Equal(thirdId, (await annOffers.NextAsync(o => o.ConversationId == thirdId)).ConversationId);
        Assert.Equal(ann.AgentId, Assert.Single(await ann.GetQueueAsync()).OfferedTo);
    }

    [Fact]
    public async Task A_customer_who_cancels_while_waiting_leaves_the_queue_and_the_offer_is_withdrawn_from_the_agent()
    {
        var ann = await AgentAsync("ann");
        var offers = new Inbox<OfferNotice>(h => ann.OfferReceived += h);
        var withdrawn = new Inbox<OfferWithdrawn>(h => ann.OfferWithdrawn += h);
        var customer = await CustomerAsync();
        var id = (await customer.RequestHelpAsync(Help())).Conversation!.Id;
        await offers.NextAsync(o => o.ConversationId == id);

        await customer.CancelHelpAsync(id);

        var notice = await withdrawn.NextAsync();
        Assert.Equal(id, notice.ConversationId);
        Assert.Equal("cancelled", notice.Reason);
        Assert.Equal(ErrorCodes.OfferGone, (await RefusedAsync(() => ann.AcceptOfferAsync(id))).Code);
        Assert.Empty(await ann.GetQueueAsync());
        Assert.Equal(ConversationStatus.Cancelled, Assert.Single(await customer.MyConversationsAsync()).Status);
        Assert.Equal(ErrorCodes.NotQueued, (await RefusedAsync(() => customer.CancelHelpAsync(id))).Code);

        var again = await customer.RequestHelpAsync(Help());
        Assert.Equal(RequestHelpStatus.Queued, again.Status);
        Assert.NotEqual(id, again.Conversation!.Id);
    }

    [Fact]
    public async Task Pressing_help_again_returns_the_conversation_already_under_way()
    {
        var ann = await AgentAsync("ann");
        var offers = new Inbox<OfferNotice>(h => ann.OfferReceived += h);
        var customer = await CustomerAsync();

        var first = await customer.RequestHelpAsync(Help());
        var second = await customer.RequestHelpAsync(Help(details: "Hello? Still waiting"));

        Assert.Equal(RequestHelpStatus.Queued, second.Status);
        Assert.Equal(first.Conversation!.Id, second.Conversation!.Id);
        Assert.Equal("My order has not arrived", second.Conversation.PreQualification.Details);
        Assert.Single(await ann.GetQueueAsync());

        await offers.NextAsync(o => o.ConversationId == first.Conversation.Id);
        await ann.AcceptOfferAsync(first.Conversation.Id);
        var third = await customer.RequestHelpAsync(Help());

        Assert.Equal(RequestHelpStatus.Assigned, third.Status);
        Assert.Equal(first.Conversation.Id, third.Conversation!.Id);
        Assert.Single(await customer.MyConversationsAsync());
    }

    [Fact]
    public async Task An_agent_who_reconnects_within_the_grace_period_keeps_the_conversation()
    {
        var ann = await AgentAsync("ann");
        var (customer, _, id) = await ConversationAsync(ann);
        var customerMessages = new Inbox<Message>(h => customer.MessageReceived += h);

        await ann.StopAsync();
        await UntilAsync(async () => !(await ListedAgentAsync("ann")).Connected, "the server sees Ann gone");
        _time.Advance(GracePeriod - TimeSpan.FromSeconds(10));
        await ann.StartAsync("ann", LiveHelpHost.Password("ann"));
        await UntilAsync(async () => (await ListedAgentAsync("ann")).Connected, "the server sees Ann back");
        _time.Advance(TimeSpan.FromSeconds(20));

        await customerMessages.NoneAsync(m => m.Kind == MessageKind.System, Quiet);
        Assert.Empty(await ann.GetQueueAsync());
        var held = await ann.Connection.InvokeAsync<IReadOnlyList<ConversationView>>(Hub.Methods.MyConversations);
        Assert.Equal(id, Assert.Single(held).Id);
        await ann.SendMessageAsync(id, "Sorry, my connection dropped. I'm still here.");
        Assert.Equal("Sorry, my connection dropped. I'm still here.", (await customerMessages.NextAsync(m => m.Kind == MessageKind.Agent)).Text);
    }

    [Fact]
    public async Task An_agent_gone_past_the_grace_period_loses_the_customer_to_the_front_of_the_queue_and_the_next_agent_takes_over()
    {
        var ann = await AgentAsync("ann", maxConcurrent: 1);
        var bob = await AgentAsync("bob", maxConcurrent: 1, status: AgentStatus.Away);
        var bobOffers = new Inbox<OfferNotice>(h => bob.OfferReceived += h);
        var (stranded, _, strandedId) = await ConversationAsync(ann);
        await stranded.SendMessageAsync(strandedId, "My parcel went to the wrong address");
        var strandedMessages = new Inbox<Message>(h => stranded.MessageReceived += h);
        var strandedJoined = new Inbox<AgentJoined>(h => stranded.AgentJoined += h);
        await bob.SetStatusAsync(AgentStatus.Online);
        var (_, _, bobsId) = await ConversationAsync(bob);
        await bobOffers.NextAsync(o => o.ConversationId == bobsId);

        _time.Advance(TimeSpan.FromSeconds(1));
        var waiting = await CustomerAsync();
        var waitingId = (await waiting.RequestHelpAsync(Help())).Conversation!.Id;

        await ann.StopAsync();
        await UntilAsync(async () => !(await ListedAgentAsync("ann")).Connected, "the server sees Ann gone");
        _time.Advance(GracePeriod + TimeSpan.FromSeconds(1));

        var told = await strandedMessages.NextAsync(m => m.Kind == MessageKind.System);
        Assert.Contains("Ann", told.Text);
        var queue = await bob.GetQueueAsync();
        Assert.Equal([strandedId, waitingId], queue.Select(e => e.Conversation.Id));
        Assert.Equal([1, 2], queue.Select(e => e.Position));

        await bob.CloseAsync(bobsId);

        var offer = await bobOffers.NextAsync(o => o.ConversationId != bobsId);
        Assert.Equal(strandedId, offer.ConversationId);
        await bob.AcceptOfferAsync(strandedId);
        var joined = await strandedJoined.NextAsync();
        Assert.Equal(bob.AgentId, joined.AgentId);
        Assert.Equal("Bob", joined.AgentName);
        var history = await bob.ResumeAsync(strandedId, 0);
        Assert.Contains(history.Messages, m => m.Text == "My parcel went to the wrong address");
        Assert.Equal(waitingId, Assert.Single(await bob.GetQueueAsync()).Conversation.Id);
    }

    [Fact]
    public async Task A_waiting_customer_is_told_nobody_is_online_when_the_last_agent_s_grace_period_ends_and_not_before()
    {
        var ann = await AgentAsync("ann", maxConcurrent: 1);
        await ConversationAsync(ann);
        var waiting = await CustomerAsync();
        var places = new Inbox<QueueUpdate>(h => waiting.QueueUpdated += h);
        var id = (await waiting.RequestHelpAsync(Help())).Conversation!.Id;
        await places.NextAsync(u => u.ConversationId == id && u.Position == 1);

        await ann.StopAsync();
        await UntilAsync(async () => !(await ListedAgentAsync("ann")).Connected, "the server sees Ann gone");
        // A reload of the console is not the end of the world: within the grace period she still counts.
        _time.Advance(GracePeriod - TimeSpan.FromSeconds(10));
        await places.NoneAsync(u => u.NobodyOnline, Quiet);
        _time.Advance(TimeSpan.FromSeconds(11));

        var nobody = await places.NextAsync(u => u.NobodyOnline);
        Assert.Equal(id, nobody.ConversationId);
        Assert.Null(nobody.Position);
        Assert.Null(nobody.EstimatedWaitSeconds);

        await ann.StartAsync("ann", LiveHelpHost.Password("ann"));
        await ann.SetStatusAsync(AgentStatus.Online);
        var back = await places.NextAsync(u => !u.NobodyOnline);
        Assert.Equal(id, back.ConversationId);
        Assert.NotNull(back.Position);
        Assert.Single(await waiting.MyConversationsAsync(), c => c.Id == id && c.Status == ConversationStatus.Queued);
    }

    [Fact]
    public async Task A_supervisor_sees_who_is_waiting_in_what_order_and_who_an_offer_is_out_to()
    {
        var ann = await AgentAsync("ann", maxConcurrent: 1);
        var offers = new Inbox<OfferNotice>(h => ann.OfferReceived += h);
        var sue = await AgentAsync("sue", role: Roles.Supervisor, status: AgentStatus.Offline);

        var first = await CustomerAsync();
        var firstId = (await first.RequestHelpAsync(Help(details: "Where is my parcel?"))).Conversation!.Id;
        await offers.NextAsync(o => o.ConversationId == firstId);
        _time.Advance(TimeSpan.FromSeconds(1));
        var second = await CustomerAsync();
        var secondId = (await second.RequestHelpAsync(Help(details: "Wrong size delivered"))).Conversation!.Id;

        var queue = await sue.GetQueueAsync();

        Assert.Equal([firstId, secondId], queue.Select(e => e.Conversation.Id));
        Assert.Equal([1, 2], queue.Select(e => e.Position));
        Assert.Equal(ann.AgentId, queue[0].OfferedTo);
        Assert.Null(queue[1].OfferedTo);
        Assert.Equal(0, queue[0].EstimatedWaitSeconds);
        Assert.True(queue[1].EstimatedWaitSeconds > 0);
        Assert.Equal("Wrong size delivered", queue[1].Conversation.PreQualification.Details);
    }

    [Fact]
    public async Task A_press_cut_short_after_storing_its_conversation_still_reaches_an_agent_and_pressing_again_returns_it()
    {
        var ann = await AgentAsync("ann");
        var offers = new Inbox<OfferNotice>(h => ann.OfferReceived += h);
        var customer = await CustomerAsync();
        // The first half of a press, as a node that died before queueing it for routing leaves it: stored, queued, and nowhere else.
        var now = _time.GetUtcNow();
        var cut = await Host.Services.GetRequiredService<IConversationStore>().AddConversationAsync(new Conversation
        {
            Id = "c-cut-short",
            VisitorId = customer.VisitorId!,
            Topic = "general",
            Mode = HelpMode.Chat,
            Status = ConversationStatus.Queued,
            CreatedAt = now,
            EnqueuedAt = now,
            PreQualification = new PreQualification { Details = "Cut short" },
        });

        var again = await customer.RequestHelpAsync(Help());
        Assert.Equal(cut.Id, again.Conversation!.Id);
        Assert.Equal(RequestHelpStatus.Queued, again.Status);

        _time.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal(cut.Id, (await offers.NextAsync()).ConversationId);
        var joined = new Inbox<AgentJoined>(h => customer.AgentJoined += h);
        await ann.AcceptOfferAsync(cut.Id);
        Assert.Equal(cut.Id, (await joined.NextAsync()).ConversationId);
    }
}
