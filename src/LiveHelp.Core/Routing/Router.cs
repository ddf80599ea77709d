namespace LiveHelp.Core.Routing;

public abstract record RoutingEvent;

/// <summary>The agent has been offered the request and must answer before the offer's deadline; with the note of a hand-over.</summary>
public sealed record OfferMade(Offer Offer, string? TransferNote = null) : RoutingEvent;

/// <summary>The request is the agent's now (accepted, or auto-accepted without an offer).</summary>
public sealed record RequestAssigned(string RequestId, string AgentId) : RoutingEvent;

/// <summary>The agent let the offer lapse: it goes to the next agent, and the silent agent is set away.</summary>
public sealed record OfferLapsed(Offer Offer) : RoutingEvent;

/// <summary>The agent stayed away past the grace period; their conversations must go back to the queue.</summary>
public sealed record AgentLost(string AgentId, IReadOnlyList<string> ConversationIds) : RoutingEvent;

/// <summary>
/// Moves requests to agents: offers, claims, lapses and grace periods. It holds no state of its own; the store
/// does, so any node can run any step and a node's crash strands nobody.
/// </summary>
public sealed class Router(IRoutingStore store, RoutingOptions options, TimeProvider clock)
{
    public IRoutingStore Store => store;

    public Task EnqueueAsync(string conversationId, string skill, HelpMode mode, DateTimeOffset enqueuedAt, bool requeued) =>
        store.EnqueueAsync(Request(conversationId, skill, mode, enqueuedAt, requeued));

    /// <summary>
    /// Queues a new request and offers (or assigns) it at once if an available agent fits, among the available agents
    /// (<paramref name="available"/>, when the caller has just read them): every earlier step matched the whole queue,
    /// so no older request waits for an agent with room. The offer itself checks the agent's room again.
    /// </summary>
    public async Task<RoutingEvent?> PressAsync(
        string conversationId, string skill, HelpMode mode, DateTimeOffset enqueuedAt, IReadOnlyList<AgentSeat>? available = null)
    {
        var request = Request(conversationId, skill, mode, enqueuedAt, requeued: false);
        await store.EnqueueAsync(request);
        return await OfferAsync(request, available ?? await store.ListAvailableSeatsAsync(), clock.GetUtcNow());
    }

    /// <summary>
    /// The agent lets go of the conversation and it goes back to the front of the queue, with <paramref name="change"/>,
    /// in one step; <paramref name="passedOn"/> when the agent passed it on to a team (which it then goes to first),
    /// with <paramref name="note"/> for the next agent.
    /// </summary>
    public Task RequeueAsync(
        string conversationId, string skill, HelpMode mode, string fromAgentId, bool passedOn, string? note, DateTimeOffset now, ConversationChange change) =>
        store.RequeueAsync(
            Request(conversationId, skill, mode, now, requeued: true) with { TransferredFrom = passedOn ? fromAgentId : null, TransferNote = note },
            fromAgentId,
            change);

    /// <summary>Queues a conversation routing lost, unless it is queued or held by an agent; true when it was queued.</summary>
    public Task<bool> ReinstateAsync(string conversationId, string skill, HelpMode mode, DateTimeOffset enqueuedAt, bool requeued) =>
        store.TryReinstateAsync(Request(conversationId, skill, mode, enqueuedAt, requeued));

    private HelpRequest Request(string conversationId, string skill, HelpMode mode, DateTimeOffset enqueuedAt, bool requeued) =>
        new()
        {
            Id = conversationId,
            Skill = skill,
            Mode = mode,
            Priority = options.PriorityOf(mode),
            EnqueuedAt = enqueuedAt,
            Requeued = requeued,
        };

    /// <summary>Offers (or, for auto-accepting agents, assigns) every queued request that has a fitting agent, in queue order.</summary>
    public async Task<IReadOnlyList<RoutingEvent>> MatchAsync()
    {
        var now = clock.GetUtcNow();
        var seats = (await store.ListAvailableSeatsAsync()).ToDictionary(s => s.AgentId, StringComparer.Ordinal);
        if (!seats.Values.Any(s => s.HasRoom))
        {
            // Nobody has room: the queue need not be read at all, which is most steps of a storm.
            return [];
        }
        var offered = (await store.ListOffersAsync()).Select(o => o.RequestId).ToHashSet(StringComparer.Ordinal);
        var events = new List<RoutingEvent>();
        foreach (var request in await store.ListQueueAsync())
        {
            if (offered.Contains(request.Id) || RoutingPolicy.ChooseAgent(request, seats.Values, now) is not { } seat)
            {
                continue;
            }
            if (await OfferAsync(request, [seat], now) is { } made)
            {
                events.Add(made);
            }
            if (await store.FindSeatAsync(seat.AgentId) is { } fresh)
            {
                seats[seat.AgentId] = fresh;
            }
            if (!seats.Values.Any(s => s.HasRoom))
            {
                break;
            }
        }
        return events;
    }

    /// <summary>Offers the request to the agent the policy chooses among <paramref name="seats"/>, or gives it to them if they auto-accept.</summary>
    private async Task<RoutingEvent?> OfferAsync(HelpRequest request, IReadOnlyCollection<AgentSeat> seats, DateTimeOffset now)
    {
        if (RoutingPolicy.ChooseAgent(request, seats, now) is not { } seat)
        {
            return null;
        }
        if (seat.Profile.AutoAccept)
        {
            return await store.TryClaimAsync(request.Id, seat.AgentId, requireOffer: false, now, Assign(seat.AgentId, seat.Profile.DisplayName, now))
                ? new RequestAssigned(request.Id, seat.AgentId)
                : null;
        }
        return await store.TryOfferAsync(request.Id, seat.AgentId, now + options.OfferTimeout) is { } offer ? new OfferMade(offer, request.TransferNote) : null;
    }

    /// <summary>The agent's answer "yes": true when the request is theirs now, false when the offer is gone.</summary>
    public Task<bool> AcceptAsync(string requestId, string agentId, string agentName)
    {
        var now = clock.GetUtcNow();
        return store.TryClaimAsync(requestId, agentId, requireOffer: true, now, Assign(agentId, agentName, now));
    }

    private static ConversationChange Assign(string agentId, string agentName, DateTimeOffset now) => c => c.AssignTo(agentId, agentName, now);

    /// <summary>The agent's answer "no": the request goes to someone else.</summary>
    public Task<Offer?> DeclineAsync(string requestId, string agentId) =>
        store.TryWithdrawOfferAsync(requestId, agentId, clock.GetUtcNow() + options.PassOverPeriod);

    /// <summary>
    /// Runs the clocks kept in the store: lapsed offers and ended grace periods. <paramref name="seats"/> may be a list
    /// the caller read this tick: it only picks the candidates, each retirement checks the store again.
    /// </summary>
    public async Task<IReadOnlyList<RoutingEvent>> ExpireAsync(IReadOnlyList<AgentSeat>? seats = null)
    {
        var now = clock.GetUtcNow();
        var events = new List<RoutingEvent>();
        foreach (var offer in await store.ListOffersAsync())
        {
            if (offer.Deadline <= now && await store.TryWithdrawOfferAsync(offer.RequestId, offer.AgentId, now + options.PassOverPeriod) is { } lapsed)
            {
                await store.SetStatusAsync(lapsed.AgentId, AgentStatus.Away);
                events.Add(new OfferLapsed(lapsed));
            }
        }
        foreach (var seat in seats ?? await store.ListSeatsAsync())
        {
            if (IsPastGrace(seat) && await store.TryRetireAsync(seat.AgentId, now - options.AgentGracePeriod) is { } released)
            {
                events.Add(new AgentLost(seat.AgentId, released));
            }
        }
        return events;
    }

    /// <summary>Whether the agent has been without a connection for longer than the grace period.</summary>
    public bool IsPastGrace(AgentSeat seat) =>
        seat.Connections == 0 && seat.DisconnectedAt is { } at && at + options.AgentGracePeriod <= clock.GetUtcNow();

    /// <summary>Moves a conversation from one agent to another who is available and has room, with <paramref name="change"/>, in one step.</summary>
    public async Task<bool> TransferAsync(string conversationId, string fromAgentId, string toAgentId, ConversationChange? change = null) =>
        fromAgentId != toAgentId && await store.TryAssignAsync(conversationId, toAgentId, clock.GetUtcNow(), fromAgentId, change);

    public async Task<IReadOnlyList<QueuePlace>> PlacesAsync(TimeSpan averageHandleTime) =>
        WaitEstimate.ForQueue(await store.ListQueueAsync(), await store.ListSeatsAsync(), averageHandleTime);
}
