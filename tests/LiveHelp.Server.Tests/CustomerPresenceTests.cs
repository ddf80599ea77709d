using LiveHelp.Client;
using LiveHelp.Core;
using LiveHelp.Core.Contracts;
using LiveHelp.Core.Conversations;

namespace LiveHelp.Server.Tests;

/// <summary>The agent sees whether the customer is here, away or gone, and since when; a long-gone customer is said to have left.</summary>
public sealed class CustomerPresenceTests : ServerTest
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["LiveHelp:ClockInterval"] = "00:00:00.05",
        ["LiveHelp:Presence:ReconnectGrace"] = "00:00:01",
        ["LiveHelp:Presence:LeftNoticeAfter"] = "00:00:00.3",
        ["LiveHelp:Presence:CloseAfter"] = "01:00:00",
    };

    [Fact]
    public async Task The_agent_sees_the_customer_go_away_come_back_and_leave_with_the_time_of_each()
    {
        var ann = await AgentAsync("ann");
        var presence = new Inbox<CustomerPresenceChanged>(h => ann.CustomerPresenceChanged += h);
        var (customer, _, id) = await ConversationAsync(ann);

        var beforeAway = DateTimeOffset.UtcNow;
        await customer.SetPresenceAsync(id, CustomerPresence.Away);
        var away = await presence.NextAsync(p => p.ConversationId == id);
        Assert.Equal(CustomerPresence.Away, away.Presence);
        Assert.InRange(away.Since, beforeAway.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));

        await customer.SetPresenceAsync(id, CustomerPresence.Here);
        var here = await presence.NextAsync(p => p.ConversationId == id);
        Assert.Equal(CustomerPresence.Here, here.Presence);
        Assert.True(here.Since >= away.Since);

        // Saying the same again is no news.
        await customer.SetPresenceAsync(id, CustomerPresence.Here);

        var beforeLeaving = DateTimeOffset.UtcNow;
        await customer.DisposeAsync();
        var gone = await presence.NextAsync(p => p.ConversationId == id);
        Assert.Equal(CustomerPresence.Gone, gone.Presence);
        // Gone since the connection closed, not since the grace ran out.
        Assert.InRange(gone.Since, beforeLeaving.AddSeconds(-1), beforeLeaving.AddMilliseconds(200));

        // A console that reloads reads the same from the conversation.
        var view = (await ann.ResumeAsync(id, 0)).Conversation;
        Assert.Equal(CustomerPresence.Gone, view.CustomerPresence);
        Assert.Equal(gone.Since, view.CustomerPresenceSince);
    }

    [Fact]
    public async Task A_watching_supervisor_sees_the_customer_go_away()
    {
        var ann = await AgentAsync("ann");
        var sue = await AgentAsync("sue", role: Roles.Supervisor, status: AgentStatus.Offline);
        var (customer, _, id) = await ConversationAsync(ann);
        var watched = new Inbox<CustomerPresenceChanged>(h => sue.CustomerPresenceChanged += h);
        Assert.Equal(CustomerPresence.Here, (await sue.WatchAsync(id)).Conversation.CustomerPresence);

        await customer.SetPresenceAsync(id, CustomerPresence.Away);

        Assert.Equal(CustomerPresence.Away, (await watched.NextAsync(p => p.ConversationId == id)).Presence);
    }

    [Fact]
    public async Task A_customer_who_stays_gone_gets_one_line_saying_they_left_and_one_who_comes_back_within_the_grace_gets_none()
    {
        var ann = await AgentAsync("ann", maxConcurrent: 2);
        var messages = new Inbox<Message>(h => ann.MessageReceived += h);
        var presence = new Inbox<CustomerPresenceChanged>(h => ann.CustomerPresenceChanged += h);
        var (leaving, _, leftId) = await ConversationAsync(ann);
        var (reloading, _, reloadedId) = await ConversationAsync(ann);

        // A page reload: the connection goes and a new one comes within the grace.
        var token = reloading.Token!;
        await reloading.DisposeAsync();
        Track(await CustomerClient.ConnectWithTokenAsync(Host.BaseUri, token, FastReconnect));
        await leaving.DisposeAsync();

        var line = await messages.NextAsync(m => m.ConversationId == leftId && m.Kind == MessageKind.System && m.Text.Contains("left", StringComparison.Ordinal));
        Assert.Equal("The customer left the chat.", line.Text);
        // Long enough for several more clock ticks past the notice time: no second line, and nothing about the one who reloaded.
        await messages.NoneAsync(m => m.Kind == MessageKind.System && m.Text.Contains("left", StringComparison.Ordinal), TimeSpan.FromSeconds(1));
        Assert.DoesNotContain(presence.Seen, p => p.ConversationId == reloadedId);
        Assert.Single((await ann.ResumeAsync(leftId, 0)).Messages, m => m.Text == "The customer left the chat.");
        Assert.Equal(ConversationStatus.Active, (await ann.ResumeAsync(leftId, 0)).Conversation.Status);
    }

    [Fact]
    public async Task A_presence_report_that_is_wrong_or_not_the_callers_is_refused_with_a_code_and_changes_nothing()
    {
        var ann = await AgentAsync("ann", maxConcurrent: 2);
        var presence = new Inbox<CustomerPresenceChanged>(h => ann.CustomerPresenceChanged += h);
        var (customer, _, id) = await ConversationAsync(ann);
        var (other, _, otherId) = await ConversationAsync(ann);

        var claimingGone = await RefusedAsync(() => customer.SetPresenceAsync(id, CustomerPresence.Gone));
        var unknownWord = await RefusedAsync(() => customer.Connection.InvokeAsync(Hub.Methods.SetPresence, id, "sideways"));
        var missingId = await RefusedAsync(() => customer.Connection.InvokeAsync(Hub.Methods.SetPresence, null, CustomerPresence.Away));
        var notTheirs = await RefusedAsync(() => customer.SetPresenceAsync(otherId, CustomerPresence.Away));
        var unknown = await RefusedAsync(() => customer.SetPresenceAsync("c-nope", CustomerPresence.Away));
        var byAgent = await RefusedAsync(() => ann.Connection.InvokeAsync(Hub.Methods.SetPresence, id, CustomerPresence.Away));
        await other.CloseAsync(otherId);
        var closed = await RefusedAsync(() => other.SetPresenceAsync(otherId, CustomerPresence.Away));

        Assert.Equal(ErrorCodes.InvalidInput, claimingGone.Code);
        Assert.Equal(ErrorCodes.InvalidInput, unknownWord.Code);
        Assert.Equal(ErrorCodes.NotFound, missingId.Code);
        Assert.Equal(ErrorCodes.NotFound, notTheirs.Code);
        Assert.Equal(ErrorCodes.NotFound, unknown.Code);
        Assert.Equal(ErrorCodes.Forbidden, byAgent.Code);
        Assert.Equal(ErrorCodes.ConversationClosed, closed.Code);
        Assert.Empty(presence.Seen);
        Assert.Equal(CustomerPresence.Here, (await ann.ResumeAsync(id, 0)).Conversation.CustomerPresence);
    }
}

/// <summary>A conversation whose customer has left closes by itself, unless they come back first.</summary>
public sealed class AbandonedConversationTests : ServerTest
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["LiveHelp:ClockInterval"] = "00:00:00.05",
        ["LiveHelp:Presence:ReconnectGrace"] = "00:00:00.2",
        ["LiveHelp:Presence:LeftNoticeAfter"] = "00:00:00.2",
        ["LiveHelp:Presence:CloseAfter"] = "00:00:01.5",
    };

    [Fact]
    public async Task A_conversation_whose_customer_left_closes_by_itself_and_its_agent_can_take_the_next_customer()
    {
        var ann = await AgentAsync("ann", maxConcurrent: 1);
        var closedNotices = new Inbox<ConversationClosed>(h => ann.ConversationClosed += h);
        var (customer, _, id) = await ConversationAsync(ann);
        var token = customer.Token!;
        await customer.DisposeAsync();

        var closed = await closedNotices.NextAsync(c => c.ConversationId == id);
        Assert.Equal(Roles.System, closed.ClosedBy);
        var transcript = (await ann.ResumeAsync(id, 0)).Messages.Select(m => m.Text).ToList();
        Assert.Equal(
            ["The customer left the chat.", "The conversation was closed because the customer left."],
            transcript.Where(t => t.Contains("customer left", StringComparison.Ordinal)));

        // Ann's only place is free again: the next customer is offered to her and she can take them.
        var (_, _, nextId) = await ConversationAsync(ann);
        Assert.NotEqual(id, nextId);

        // The customer who left finds the conversation closed when they come back.
        var back = Track(await CustomerClient.ConnectWithTokenAsync(Host.BaseUri, token, FastReconnect));
        var theirs = Assert.Single(await back.MyConversationsAsync(), c => c.Id == id);
        Assert.Equal(ConversationStatus.Closed, theirs.Status);
        Assert.Equal(Roles.System, theirs.ClosedBy);
    }

    [Fact]
    public async Task A_customer_who_comes_back_before_the_close_keeps_the_conversation_open()
    {
        var ann = await AgentAsync("ann");
        var messages = new Inbox<Message>(h => ann.MessageReceived += h);
        var closedNotices = new Inbox<ConversationClosed>(h => ann.ConversationClosed += h);
        var presence = new Inbox<CustomerPresenceChanged>(h => ann.CustomerPresenceChanged += h);
        var (customer, _, id) = await ConversationAsync(ann);
        var token = customer.Token!;
        await customer.DisposeAsync();
        await messages.NextAsync(m => m.ConversationId == id && m.Text == "The customer left the chat.");

        var back = Track(await CustomerClient.ConnectWithTokenAsync(Host.BaseUri, token, FastReconnect));

        Assert.Equal(CustomerPresence.Here, (await presence.NextAsync(p => p.ConversationId == id && p.Presence != CustomerPresence.Gone)).Presence);
        // Past the time the conversation would have closed, with room to spare.
        await closedNotices.NoneAsync(c => c.ConversationId == id, TimeSpan.FromSeconds(2.5));
        Assert.Equal(ConversationStatus.Active, (await back.ResumeAsync(id, 0)).Conversation.Status);
        await back.SendMessageAsync(id, "Sorry, I was on the phone");
    }
}
