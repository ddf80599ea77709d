using LiveHelp.Core;
using LiveHelp.Core.Accounts;
using LiveHelp.Core.Calls;
using LiveHelp.Core.Contracts;
using LiveHelp.Core.Conversations;
using LiveHelp.Core.Routing;
using LiveHelp.Server.Hubs;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace LiveHelp.Server.Help;

/// <summary>
/// The help loop: requests into the queue, offers to agents, conversations, transfers and closing. Routing
/// decisions come from <see cref="Router"/>; this class stores their outcome first and then tells the people involved.
/// </summary>
public sealed class HelpQueue(
    IConversationStore store,
    Router router,
    Conversations conversations,
    CallDesk calls,
    IHubContext<HelpHub, IHelpClient> hub,
    QueuePlaces places,
    TimeProvider clock,
    IOptions<LiveHelpOptions> options,
    ILogger<HelpQueue> log)
{
    // A press or requeue under way stores its conversation and queues it within moments; one queued longer than this
    // in the store of record alone was cut short (its node died) and is queued again.
    private static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(5);

    private DateTimeOffset _nextReinstate;

    private LiveHelpOptions Options => options.Value;

    public async Task<RequestHelpResult> RequestHelpAsync(Caller customer, RequestHelpInput input)
    {
        Conversations.RequireCustomer(customer);
        Validate.Required(input.Topic, "topic", 64);
        Validate.Optional(input.Details, "details", Options.MaxMessageLength);
        Validate.Optional(input.Name, "name", 200);
        Validate.Optional(input.Email, "email", 320);
        Validate.Optional(input.PageUrl, "pageUrl", 2048);
        Validate.Optional(input.OrderId, "orderId", 200);
        Validate.Optional(input.DeviceModel, "deviceModel", 200);
        Validate.Optional(input.DeviceOs, "deviceOs", 200);
        Validate.Optional(input.AppVersion, "appVersion", 200);
        if (!Enum.IsDefined(input.Mode))
        {
            throw new LiveHelpException(ErrorCodes.InvalidInput, "mode must be chat or mayday");
        }
        var topic = await conversations.FindTopicAsync(input.Topic);
        var visitor = await store.FindVisitorAsync(customer.Id) ?? throw new LiveHelpException(ErrorCodes.Unauthorized, "unknown visitor");

        Conversation answer;
        // Pressing the button again (or after a reload) returns the conversation already under way.
        var open = (await store.ListConversationsByVisitorAsync(customer.Id)).FirstOrDefault(c => c.IsOpen);
        if (open is not null)
        {
            answer = open;
        }
        else if ((await router.Store.ListAvailableSeatsAsync()).Count == 0)
        {
            return new RequestHelpResult(RequestHelpStatus.NoAgentsOnline, null, null);
        }
        else
        {
            answer = await EnqueueAsync(customer, input, topic, visitor);
        }

        return answer.Status == ConversationStatus.Active
            ? new RequestHelpResult(RequestHelpStatus.Assigned, answer.ToView(), null)
            : new RequestHelpResult(RequestHelpStatus.Queued, answer.ToView(), await places.PlaceOfAsync(answer.Id));
    }

    /// <summary>A new request into the queue, offered at once if an agent fits.</summary>
    private async Task<Conversation> EnqueueAsync(Caller customer, RequestHelpInput input, Topic topic, Visitor visitor)
    {
        var now = clock.GetUtcNow();
        var conversation = new Conversation
        {
            Id = Ids.New("c"),
            VisitorId = customer.Id,
            Topic = topic.Id,
            Mode = input.Mode,
            Status = ConversationStatus.Queued,
            CreatedAt = now,
            EnqueuedAt = now,
            PreQualification = new PreQualification
            {
                Details = input.Details,
                Name = input.Name ?? visitor.Name,
                Email = input.Email ?? visitor.Email,
                PageUrl = input.PageUrl,
                OrderId = input.OrderId,
                DeviceModel = input.DeviceModel,
                DeviceOs = input.DeviceOs,
                AppVersion = input.AppVersion,
            },
        };
        var stored = await store.AddConversationAsync(conversation);
        if (stored.Id != conversation.Id)
        {
            // The same visitor pressed on another node a moment ago: that request is the one under way.
            return stored;
        }
        await conversations.AppendQuestionAsync(stored);
        Log.HelpRequested(log, conversation.Id, topic.Id, input.Mode);
        if (await router.PressAsync(conversation.Id, topic.Skill, input.Mode, now) is { } routed)
        {
            await ApplyAsync(routed);
        }
        places.QueueChanged();
        return await store.FindConversationAsync(conversation.Id) ?? conversation;
    }

    public async Task CancelHelpAsync(Caller customer, string conversationId)
    {
        Conversations.RequireCustomer(customer);
        var conversation = await conversations.FindAsync(customer, conversationId, Access.Participate);
        var (removed, offer) = await router.Store.TryDequeueAsync(conversation.Id);
        if (!removed)
        {
            throw new LiveHelpException(ErrorCodes.NotQueued, "the conversation is not waiting in the queue");
        }
        var now = clock.GetUtcNow();
        await conversations.UpdateAsync(conversation.Id, c => c.Cancel(now));
        if (offer is not null)
        {
            await hub.Clients.User(offer.AgentId).offerWithdrawn(new OfferWithdrawn(conversation.Id, "cancelled"));
        }
        await RouteAsync();
    }

    public async Task SetStatusAsync(Caller agent, AgentStatus status)
    {
        Conversations.RequireStaff(agent);
        if (!Enum.IsDefined(status))
        {
            throw new LiveHelpException(ErrorCodes.InvalidInput, "status must be online, away or offline");
        }
        if (await store.FindAgentAsync(agent.Id) is not { Disabled: false })
        {
            throw new LiveHelpException(ErrorCodes.Forbidden, "this account is disabled");
        }
        await router.Store.SetStatusAsync(agent.Id, status);
        await hub.Clients.User(agent.Id).statusChanged(new StatusChanged(status, "set"));
        await RouteAsync();
    }

    public async Task<ConversationView> AcceptOfferAsync(Caller agent, string conversationId)
    {
        Conversations.RequireStaff(agent);
        Validate.Id(conversationId);
        if (!await router.AcceptAsync(conversationId, agent.Id))
        {
            throw new LiveHelpException(ErrorCodes.OfferGone, "this offer is no longer open");
        }
        var conversation = await AssignAsync(conversationId, agent.Id);
        await RouteAsync();
        return await conversations.StaffViewAsync(conversation);
    }

    public async Task DeclineOfferAsync(Caller agent, string conversationId)
    {
        Conversations.RequireStaff(agent);
        Validate.Id(conversationId);
        if (await router.DeclineAsync(conversationId, agent.Id) is null)
        {
            throw new LiveHelpException(ErrorCodes.OfferGone, "this offer is no longer open");
        }
        await RouteAsync();
    }

    public async Task TransferAsync(Caller staff, string conversationId, TransferInput input)
    {
        Conversations.RequireStaff(staff);
        Validate.Optional(input.Note, "note", Options.MaxMessageLength);
        if ((input.ToAgentId is null) == (input.ToTopic is null))
        {
            throw new LiveHelpException(ErrorCodes.InvalidInput, "give either toAgentId or toTopic");
        }
        var conversation = await conversations.FindAsync(staff, conversationId, Access.Act);
        if (conversation.Status != ConversationStatus.Active || conversation.AgentId is not { } fromAgentId)
        {
            throw new LiveHelpException(conversation.IsOpen ? ErrorCodes.InvalidInput : ErrorCodes.ConversationClosed,
                "only a conversation in progress can be transferred");
        }
        if (input.ToAgentId is { } toAgentId)
        {
            await TransferToAgentAsync(staff, conversation, fromAgentId, toAgentId, input.Note);
        }
        else
        {
            await TransferToTopicAsync(staff, conversation, fromAgentId, await conversations.FindTopicAsync(input.ToTopic!), input.Note);
        }
        await RouteAsync();
    }

    private async Task TransferToAgentAsync(Caller staff, Conversation conversation, string fromAgentId, string toAgentId, string? note)
    {
        var target = toAgentId.Length <= 64 ? await store.FindAgentAsync(toAgentId) : null;
        if (target is null || target.Disabled || toAgentId == fromAgentId || !await router.TransferAsync(conversation.Id, fromAgentId, toAgentId))
        {
            throw new LiveHelpException(ErrorCodes.AgentUnavailable, "that agent cannot take this conversation now");
        }
        await AddNoteTextAsync(staff, conversation, note);
        await calls.EndLiveCallAsync(conversation, CallRules.Transferred);
        Conversation moved;
        try
        {
            moved = await conversations.UpdateAsync(conversation.Id, c => c.TransferTo(fromAgentId, target.Id, target.DisplayName));
        }
        catch (LiveHelpException e) when (e.Code == ErrorCodes.Conflict)
        {
            await router.Store.ReleaseAsync(target.Id, conversation.Id);
            throw;
        }
        await conversations.AppendSystemAsync(moved, $"{target.DisplayName} has taken over from {conversation.AgentName}.");
        await hub.Clients.User(fromAgentId).unassigned(new Unassigned(conversation.Id, "transferred"));
        await hub.Clients.User(target.Id).assigned(await conversations.StaffViewAsync(moved));
        await places.AgentJoinedAsync(moved);
    }

    private async Task TransferToTopicAsync(Caller staff, Conversation conversation, string fromAgentId, Topic topic, string? note)
    {
        await AddNoteTextAsync(staff, conversation, note);
        await RequeueAsync(conversation, fromAgentId, topic.Id, $"{conversation.AgentName} is passing you to the {topic.Name} team. You are first in line.");
        await hub.Clients.User(fromAgentId).unassigned(new Unassigned(conversation.Id, "transferred"));
    }

    private async Task AddNoteTextAsync(Caller staff, Conversation conversation, string? note)
    {
        if (!string.IsNullOrWhiteSpace(note))
        {
            // Part of a transfer, which has already decided on the conversation: the note goes in as it is.
            await conversations.AppendNoteAsync(staff, conversation, null, note, AppendRule.Any);
        }
    }

    public async Task CloseAsync(Caller caller, string conversationId)
    {
        var conversation = await conversations.FindAsync(caller, conversationId, caller.CanOversee ? Access.Read : Access.Participate);
        if (!conversation.IsOpen)
        {
            throw new LiveHelpException(ErrorCodes.ConversationClosed, "the conversation is already closed");
        }
        var (_, offer) = await router.Store.TryDequeueAsync(conversation.Id);
        if (offer is not null)
        {
            await hub.Clients.User(offer.AgentId).offerWithdrawn(new OfferWithdrawn(conversation.Id, "cancelled"));
        }
        var now = clock.GetUtcNow();
        var closedBy = caller.IsCustomer ? Roles.Customer : Roles.Agent;
        var closed = await conversations.UpdateAsync(conversationId, c => c.Close(closedBy, now));
        if (closed.AgentId is { } agentId)
        {
            await router.Store.ReleaseAsync(agentId, closed.Id);
        }
        await calls.EndLiveCallAsync(closed, CallRules.ConversationClosed);
        if (closed.HandleTime is { } handle)
        {
            places.HandleTimeObserved(handle);
        }
        var who = caller.IsCustomer ? "The customer" : caller.Name ?? "The agent";
        await conversations.AppendSystemAsync(closed, $"{who} closed the conversation.");
        await conversations.SendToConversationAsync(closed, c => c.conversationClosed(new ConversationClosed(closed.Id, closedBy)), includeCustomer: true);
        await RouteAsync();
    }

    public async Task<IReadOnlyList<QueueEntry>> GetQueueAsync(Caller staff)
    {
        Conversations.RequireStaff(staff);
        var offers = (await router.Store.ListOffersAsync()).ToDictionary(o => o.RequestId, o => o.AgentId, StringComparer.Ordinal);
        var entries = new List<QueueEntry>();
        foreach (var place in await router.PlacesAsync(places.AverageHandleTime))
        {
            if (await store.FindConversationAsync(place.RequestId) is { } c)
            {
                entries.Add(new QueueEntry(await conversations.StaffViewAsync(c), place.Position, place.EstimatedWaitSeconds, offers.GetValueOrDefault(c.Id)));
            }
        }
        return entries;
    }

    /// <summary>Runs the stored clocks: lapsed offers, ended grace periods; then matches again.</summary>
    public async Task TickAsync()
    {
        // An ended grace period puts the conversations back in the queue in the store first; the seat lets go of
        // each only once that is stored, so a step the store refused is tried again on the next tick.
        var seats = await router.Store.ListSeatsAsync();
        foreach (var seat in seats)
        {
            if (router.IsPastGrace(seat))
            {
                foreach (var id in seat.Conversations.Order(StringComparer.Ordinal))
                {
                    await RequeueLostAsync(seat.AgentId, id);
                }
            }
        }
        foreach (var e in await router.ExpireAsync(seats))
        {
            await ApplyAsync(e);
        }
        await calls.ExpireCallsAsync();
        await ReinstateLostRequestsAsync();
        await RouteAsync();
    }

    /// <summary>
    /// Queues again every conversation the store of record has waiting that routing neither queues nor gives to an
    /// agent: a press cut short between its two steps. Reads the whole open list, so at most once per settle time.
    /// </summary>
    private async Task ReinstateLostRequestsAsync()
    {
        var now = clock.GetUtcNow();
        if (now < _nextReinstate)
        {
            return;
        }
        _nextReinstate = now + SettleTime;
        var queued = (await router.Store.ListQueueAsync()).Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        var holders = (await router.Store.ListSeatsAsync())
            .SelectMany(s => s.Conversations.Select(c => (Conversation: c, Seat: s)))
            .ToDictionary(h => h.Conversation, h => h.Seat, StringComparer.Ordinal);
        foreach (var c in await store.ListOpenConversationsAsync())
        {
            if (c.Status != ConversationStatus.Queued || c.EnqueuedAt + SettleTime > now || queued.Contains(c.Id))
            {
                continue;
            }
            if (holders.TryGetValue(c.Id, out var holder))
            {
                if (holder.IsAvailable)
                {
                    // An accept cut short after the seat took it: the agent is here, so it is theirs.
                    await FinishAssignmentAsync(c.Id, holder.AgentId);
                    continue;
                }
                // A requeue cut short before the seat let go, or an accept whose agent has gone since: back to the queue.
                await router.Store.ReleaseAsync(holder.AgentId, c.Id);
            }
            if (await router.ReinstateAsync(c.Id, await SkillOfAsync(c.Topic), c.Mode, c.EnqueuedAt, c.Requeued))
            {
                Log.Reinstated(log, c.Id);
            }
        }
    }

    private async Task FinishAssignmentAsync(string conversationId, string agentId)
    {
        try
        {
            await AssignAsync(conversationId, agentId);
            Log.AssignmentFinished(log, conversationId, agentId);
        }
        catch (LiveHelpException e) when (e.Code is ErrorCodes.OfferGone or ErrorCodes.NotFound)
        {
            // Finished or closed meanwhile.
        }
    }

    /// <summary>False for a disabled or deleted account, whose connection must be closed.</summary>
    public async Task<bool> AgentConnectedAsync(Caller agent)
    {
        if (await store.FindAgentAsync(agent.Id) is not { Disabled: false } account)
        {
            return false;
        }
        await router.Store.UpsertProfileAsync(Profiles.Of(account));
        await router.Store.ConnectAsync(agent.Id);
        await TickAsync();
        return true;
    }

    /// <summary>An admin changed the account: routing sees the new skills and cap at once.</summary>
    public async Task AgentChangedAsync(AgentAccount account)
    {
        await router.Store.UpsertProfileAsync(Profiles.Of(account));
        if (account.Disabled)
        {
            await router.Store.SetStatusAsync(account.Id, AgentStatus.Offline);
        }
        await TickAsync();
    }

    /// <summary>At start: a routing seat for every account, with its skills and cap as stored now.</summary>
    public async Task SeatAgentsAsync()
    {
        foreach (var account in await store.ListAgentsAsync())
        {
            await router.Store.UpsertProfileAsync(Profiles.Of(account));
        }
    }

    public Task AgentDisconnectedAsync(Caller agent) => router.Store.DisconnectAsync(agent.Id, clock.GetUtcNow());

    /// <summary>Matches what can be matched and tells every waiting customer their new place.</summary>
    private async Task RouteAsync()
    {
        foreach (var e in await router.MatchAsync())
        {
            await ApplyAsync(e);
        }
        places.QueueChanged();
    }

    private async Task ApplyAsync(RoutingEvent e)
    {
        switch (e)
        {
            case OfferMade(var offer):
                if (await store.FindConversationAsync(offer.RequestId) is { } offered)
                {
                    await hub.Clients.User(offer.AgentId).offer(new OfferNotice(offered.Id, offer.Deadline, await conversations.StaffViewAsync(offered)));
                }
                break;
            case RequestAssigned(var requestId, var agentId):
                try
                {
                    await AssignAsync(requestId, agentId);
                }
                catch (LiveHelpException gone) when (gone.Code == ErrorCodes.OfferGone)
                {
                    // Closed or cancelled while it was being claimed: nothing to join.
                }
                break;
            case OfferLapsed(var offer):
                Log.OfferLapsed(log, offer.RequestId, offer.AgentId);
                await hub.Clients.User(offer.AgentId).offerWithdrawn(new OfferWithdrawn(offer.RequestId, "lapsed"));
                await hub.Clients.User(offer.AgentId).statusChanged(new StatusChanged(AgentStatus.Away, "missed_offer"));
                break;
            case AgentLost(var agentId, var conversationIds):
                Log.AgentLost(log, agentId, conversationIds.Count);
                foreach (var id in conversationIds)
                {
                    await RequeueLostAsync(agentId, id);
                }
                break;
        }
    }

    private async Task<Conversation> AssignAsync(string conversationId, string agentId)
    {
        var agent = await store.FindAgentAsync(agentId) ?? throw new LiveHelpException(ErrorCodes.NotFound, "unknown agent");
        var now = clock.GetUtcNow();
        Conversation assigned;
        try
        {
            // Only a conversation still waiting: a close that came in meanwhile stands, and the seat lets go of it.
            assigned = await conversations.UpdateAsync(conversationId, c => c.AssignTo(agent.Id, agent.DisplayName, now));
        }
        catch (LiveHelpException e) when (e.Code == ErrorCodes.OfferGone)
        {
            if (await store.FindConversationAsync(conversationId) is { Status: ConversationStatus.Active } done && done.AgentId == agentId)
            {
                // Another node's clock finished this very assignment a moment ago and told everyone.
                return done;
            }
            await router.Store.ReleaseAsync(agentId, conversationId);
            throw;
        }
        Log.Assigned(log, conversationId, agentId);
        await conversations.AppendSystemAsync(assigned, $"{agent.DisplayName} joined the conversation.");
        await hub.Clients.User(agent.Id).assigned(await conversations.StaffViewAsync(assigned));
        await places.AgentJoinedAsync(assigned);
        await calls.StartMaydayCallAsync(assigned);
        return assigned;
    }

    /// <summary>The agent is gone for good: the conversation goes back to the front of the queue, unless it moved on already.</summary>
    private async Task RequeueLostAsync(string agentId, string conversationId)
    {
        if (await store.FindConversationAsync(conversationId) is { Status: ConversationStatus.Active } lost && lost.AgentId == agentId)
        {
            try
            {
                await RequeueAsync(lost, agentId, lost.Topic, $"{lost.AgentName} lost their connection. You are first in line for the next agent.");
            }
            catch (LiveHelpException e) when (e.Code == ErrorCodes.Conflict)
            {
                // Another node's clock requeued it first, and lets go of it for the seat.
            }
        }
        else
        {
            // Another node requeued it, or it closed: only the seat still names it.
            await router.Store.ReleaseAsync(agentId, conversationId);
        }
    }

    /// <summary>Back to the front of the queue, for <paramref name="leaving"/> as its caller just read it.</summary>
    private async Task RequeueAsync(Conversation leaving, string fromAgentId, string topicId, string announcement)
    {
        await calls.EndLiveCallAsync(leaving, CallRules.Transferred);
        var now = clock.GetUtcNow();
        // Stored before the seat lets go: a refused store leaves the agent holding it, and the step can be tried again.
        var queued = await conversations.UpdateAsync(leaving.Id, c => c.Requeue(fromAgentId, topicId, now));
        await router.Store.ReleaseAsync(fromAgentId, leaving.Id);
        await router.EnqueueAsync(leaving.Id, await SkillOfAsync(topicId), queued.Mode, now, requeued: true);
        await conversations.AppendSystemAsync(queued, announcement);
    }

    /// <summary>The skill that serves a topic; a topic removed since keeps being served by the skill of its name.</summary>
    private async Task<string> SkillOfAsync(string topicId) =>
        (await store.ListTopicsAsync()).FirstOrDefault(t => string.Equals(t.Id, topicId, StringComparison.OrdinalIgnoreCase))?.Skill ?? topicId;
}
