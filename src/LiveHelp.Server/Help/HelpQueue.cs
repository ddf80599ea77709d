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
    ILogger<HelpQueue> log,
    Telemetry.LiveHelpMetrics metrics)
{
    // A press or requeue under way stores its conversation and queues it within moments; one queued longer than this
    // in the store of record alone was cut short (its node died) and is queued again.
    private static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(5);

    private DateTimeOffset _nextReinstate;

    // 0: no match running; 1: one running; 2: one running and another asked for, which runs after it.
    private int _matching;
    private readonly StoreOutageLog _matchOutage = new(log, "Matching the queue");

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
        else if (await router.Store.ListAvailableSeatsAsync() is { Count: > 0 } available)
        {
            answer = await EnqueueAsync(customer, input, topic, visitor, available);
        }
        else
        {
            return new RequestHelpResult(RequestHelpStatus.NoAgentsOnline, null, null);
        }

        return answer.Status == ConversationStatus.Active
            ? new RequestHelpResult(RequestHelpStatus.Assigned, answer.ToView(), null)
            : new RequestHelpResult(RequestHelpStatus.Queued, answer.ToView(), await places.PlaceOfAsync(answer.Id));
    }

    /// <summary>A new request into the queue, offered at once if an agent fits.</summary>
    private async Task<Conversation> EnqueueAsync(Caller customer, RequestHelpInput input, Topic topic, Visitor visitor, IReadOnlyList<AgentSeat> available)
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
        metrics.Pressed(input.Mode);
        switch (await router.PressAsync(conversation.Id, topic.Skill, input.Mode, now, available))
        {
            case OfferMade(var offer, _):
                metrics.Offered(conversation.EnqueuedAt);
                // The conversation and its visitor are in hand: the offer goes out without reading them again.
                await hub.Clients.User(offer.AgentId).offer(new OfferNotice(conversation.Id, offer.Deadline, conversation.ToView(visitor.UserId)));
                break;
            case { } routed:
                await ApplyAsync(routed);
                places.QueueChanged();
                return await store.FindConversationAsync(conversation.Id) ?? conversation;
        }
        places.QueueChanged();
        return conversation;
    }

    public async Task CancelHelpAsync(Caller customer, string conversationId)
    {
        Conversations.RequireCustomer(customer);
        var conversation = await conversations.FindAsync(customer, conversationId, Access.Participate);
        var now = clock.GetUtcNow();
        var (removed, offer) = await router.Store.TryDequeueAsync(conversation.Id, c => c.Cancel(now));
        if (!removed)
        {
            throw new LiveHelpException(ErrorCodes.NotQueued, "the conversation is not waiting in the queue");
        }
        if (offer is not null)
        {
            await hub.Clients.User(offer.AgentId).offerWithdrawn(new OfferWithdrawn(conversation.Id, "cancelled"));
        }
        MatchSoon();
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
        MatchSoon();
    }

    public async Task<ConversationView> AcceptOfferAsync(Caller agent, string conversationId)
    {
        Conversations.RequireStaff(agent);
        Validate.Id(conversationId);
        var account = await store.FindAgentAsync(agent.Id) ?? throw new LiveHelpException(ErrorCodes.Forbidden, "this account is disabled");
        if (!await router.AcceptAsync(conversationId, agent.Id, account.DisplayName))
        {
            throw new LiveHelpException(ErrorCodes.OfferGone, "this offer is no longer open");
        }
        var conversation = await AnnounceAssignedAsync(conversationId, account);
        MatchSoon();
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
        MatchSoon();
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
        MatchSoon();
    }

    private async Task TransferToAgentAsync(Caller staff, Conversation conversation, string fromAgentId, string toAgentId, string? note)
    {
        var target = toAgentId.Length <= 64 ? await store.FindAgentAsync(toAgentId) : null;
        Conversation? moved = null;
        if (target is null || target.Disabled
            || !await router.TransferAsync(conversation.Id, fromAgentId, toAgentId, c => moved = c.TransferTo(fromAgentId, target.Id, target.DisplayName))
            || moved is null)
        {
            throw new LiveHelpException(ErrorCodes.AgentUnavailable, "that agent cannot take this conversation now");
        }
        await AddNoteTextAsync(staff, conversation, note);
        await calls.EndLiveCallAsync(conversation, CallRules.Transferred);
        await conversations.AppendSystemAsync(moved, $"{target.DisplayName} has taken over from {conversation.AgentName}.");
        await hub.Clients.User(fromAgentId).unassigned(new Unassigned(conversation.Id, "transferred"));
        await hub.Clients.User(target.Id).assigned(await conversations.StaffViewAsync(moved));
        await places.AgentJoinedAsync(moved);
    }

    private async Task TransferToTopicAsync(Caller staff, Conversation conversation, string fromAgentId, Topic topic, string? note)
    {
        await AddNoteTextAsync(staff, conversation, note);
        await RequeueAsync(conversation, fromAgentId, topic.Id, topic.Skill, passedOn: true, string.IsNullOrWhiteSpace(note) ? null : note, $"{conversation.AgentName} is passing you to the {topic.Name} team. You are first in line.");
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
        var closedBy = caller.IsCustomer ? Roles.Customer : Roles.Agent;
        var who = caller.IsCustomer ? "The customer" : caller.Name ?? "The agent";
        await EndAsync(conversation.Id, closedBy, (c, now) => c.Close(closedBy, now), $"{who} closed the conversation.");
    }

    /// <summary>
    /// Closes the conversation of a customer gone since <paramref name="goneBy"/> or earlier, by the same step as any
    /// close; false when they came back or it closed meanwhile (another node's clock got there first).
    /// </summary>
    public async Task<bool> CloseAbandonedAsync(string conversationId, DateTimeOffset goneBy)
    {
        try
        {
            await EndAsync(conversationId, Roles.System, (c, now) => c.CloseAbandoned(goneBy, now), "The conversation was closed because the customer left.");
            return true;
        }
        catch (LiveHelpException e) when (e.Code is ErrorCodes.Conflict or ErrorCodes.ConversationClosed)
        {
            return false;
        }
    }

    /// <summary>One step ends the conversation (<paramref name="close"/> refuses if it may not); then everyone is told.</summary>
    private async Task EndAsync(string conversationId, string closedBy, Func<Conversation, DateTimeOffset, Conversation> close, string announcement)
    {
        var now = clock.GetUtcNow();
        Conversation? ended = null;
        var offer = await router.Store.EndAsync(conversationId, c => ended = close(c, now));
        if (offer is not null)
        {
            await hub.Clients.User(offer.AgentId).offerWithdrawn(new OfferWithdrawn(conversationId, "cancelled"));
        }
        var closed = ended ?? throw new LiveHelpException(ErrorCodes.NotFound, "conversation not found");
        await calls.EndLiveCallAsync(closed, CallRules.ConversationClosed);
        if (closed.HandleTime is { } handle)
        {
            places.HandleTimeObserved(handle);
        }
        await conversations.AppendSystemAsync(closed, announcement);
        await conversations.SendToConversationAsync(closed, c => c.conversationClosed(new ConversationClosed(closed.Id, closedBy)), includeCustomer: true);
        MatchSoon();
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
        IReadOnlyList<Topic>? topics = null;
        foreach (var c in await store.ListOpenConversationsAsync())
        {
            if (c.Status != ConversationStatus.Queued || c.EnqueuedAt + SettleTime > now || queued.Contains(c.Id))
            {
                continue;
            }
            topics ??= await store.ListTopicsAsync();
            if (await router.ReinstateAsync(c.Id, SkillOf(topics, c.Topic), c.Mode, c.EnqueuedAt, c.Requeued))
            {
                Log.Reinstated(log, c.Id);
            }
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

    /// <summary>
    /// Asks for a match of the whole queue after a step that may have freed room, and returns at once: the caller's
    /// step is stored, so it need not wait for offers to others, and the asks of many steps in a row share one match.
    /// A match that fails is run again by the clock's next tick.
    /// </summary>
    private void MatchSoon()
    {
        while (true)
        {
            var state = Volatile.Read(ref _matching);
            if (state == 2)
            {
                return;
            }
            if (Interlocked.CompareExchange(ref _matching, state + 1, state) == state)
            {
                if (state == 0)
                {
                    _ = Task.Run(MatchWhileAskedAsync);
                }
                return;
            }
        }
    }

    private async Task MatchWhileAskedAsync()
    {
        do
        {
            // A match asked for from here on needs a round that starts after this point: this one may have read too early.
            Volatile.Write(ref _matching, 1);
            await _matchOutage.RunAsync(RouteAsync, e => Log.MatchFailed(log, e));
        }
        while (Interlocked.CompareExchange(ref _matching, 0, 1) != 1);
    }

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
            case OfferMade(var offer, var note):
                if (await store.FindConversationAsync(offer.RequestId) is { } offered)
                {
                    metrics.Offered(offered.EnqueuedAt);
                    await hub.Clients.User(offer.AgentId).offer(new OfferNotice(offered.Id, offer.Deadline, await conversations.StaffViewAsync(offered), note));
                }
                break;
            case RequestAssigned(var requestId, var agentId):
                try
                {
                    await AnnounceAssignedAsync(requestId, await store.FindAgentAsync(agentId) ?? throw new LiveHelpException(ErrorCodes.OfferGone, "unknown agent"));
                }
                catch (LiveHelpException gone) when (gone.Code == ErrorCodes.OfferGone)
                {
                    // Closed the moment after the claim: nothing to join.
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

    /// <summary>Tells everyone that the claim just stored made the conversation the agent's.</summary>
    private async Task<Conversation> AnnounceAssignedAsync(string conversationId, AgentAccount agent)
    {
        if (await store.FindConversationAsync(conversationId) is not { Status: ConversationStatus.Active } assigned || assigned.AgentId != agent.Id)
        {
            // Closed, or moved on, the moment after the claim: what happened since was told by the step that did it.
            throw new LiveHelpException(ErrorCodes.OfferGone, "this offer is no longer open");
        }
        Log.Assigned(log, conversationId, agent.Id);
        metrics.AgentJoined(assigned.EnqueuedAt);
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
                var skill = SkillOf(await store.ListTopicsAsync(), lost.Topic);
                await RequeueAsync(lost, agentId, lost.Topic, skill, passedOn: false, note: null,
                    $"{lost.AgentName} lost their connection. You are first in line for the next agent.");
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
    private async Task RequeueAsync(Conversation leaving, string fromAgentId, string topicId, string skill, bool passedOn, string? note, string announcement)
    {
        await calls.EndLiveCallAsync(leaving, CallRules.Transferred);
        var now = clock.GetUtcNow();
        Conversation? queued = null;
        // One step: a refused store leaves the agent holding it, and the step can be tried again.
        await router.RequeueAsync(
            leaving.Id, skill, leaving.Mode, fromAgentId, passedOn, note, now, c => queued = c.Requeue(fromAgentId, topicId, now));
        await conversations.AppendSystemAsync(queued ?? leaving, announcement);
    }

    /// <summary>The skill that serves a topic; a topic removed since keeps being served by the skill of its name.</summary>
    private static string SkillOf(IReadOnlyList<Topic> topics, string topicId) => Conversations.TopicIn(topics, topicId)?.Skill ?? topicId;
}
