using LiveHelp.Core.Conversations;

namespace LiveHelp.Core.Routing;

/// <summary>
/// What a routing step does to its conversation, applied to the conversation as stored, in the step's own transaction:
/// the conversation and the routing state change together or not at all. The conversation's guard refuses by throwing.
/// </summary>
public delegate Conversation ConversationChange(Conversation stored);

/// <summary>
/// The live routing state: queue, agent seats and offers. Every method that changes state is atomic, so that
/// with several nodes a request is never assigned twice and an agent never goes over their cap. A step given a
/// <see cref="ConversationChange"/> applies it in the same step to the conversation of the same id, when the store
/// also holds the conversations (the store of record does; a store of routing state alone skips it).
/// </summary>
public interface IRoutingStore
{
    /// <summary>Adds or replaces the request (the same conversation is never queued twice).</summary>
    Task EnqueueAsync(HelpRequest request);
    Task<HelpRequest?> FindRequestAsync(string requestId);

    /// <summary>
    /// Queues the request unless it is queued already or an agent holds it, in one step: how a conversation the store
    /// of record says is waiting, but routing lost, goes back. True when it was queued.
    /// </summary>
    Task<bool> TryReinstateAsync(HelpRequest request);

    /// <summary>
    /// Removes a queued request and withdraws its offer, if any, applying <paramref name="change"/> when it was queued;
    /// returns the offer that was withdrawn.
    /// </summary>
    Task<(bool Removed, Offer? WithdrawnOffer)> TryDequeueAsync(string requestId, ConversationChange? change = null);

    /// <summary>
    /// The conversation ends: it leaves the queue (its offer withdrawn and returned) and every seat that holds it, and
    /// <paramref name="change"/> is applied.
    /// </summary>
    Task<Offer?> EndAsync(string conversationId, ConversationChange? change = null);

    /// <summary>
    /// The agent lets go of the conversation and it joins the queue as <paramref name="request"/>, with
    /// <paramref name="change"/> applied, in one step.
    /// </summary>
    Task RequeueAsync(HelpRequest request, string fromAgentId, ConversationChange? change = null);

    /// <summary>The queue in service order.</summary>
    Task<IReadOnlyList<HelpRequest>> ListQueueAsync();

    /// <summary>Creates the seat or refreshes its profile, keeping its live state.</summary>
    Task UpsertProfileAsync(AgentProfile profile);
    Task<AgentSeat?> FindSeatAsync(string agentId);
    Task<IReadOnlyList<AgentSeat>> ListSeatsAsync();

    /// <summary>The seats of agents who are online with at least one connection: who a new request can go to.</summary>
    Task<IReadOnlyList<AgentSeat>> ListAvailableSeatsAsync();
    Task SetStatusAsync(string agentId, AgentStatus status);
    Task ConnectAsync(string agentId);

    /// <summary>One connection went; when it was the last, the grace period starts at <paramref name="now"/>.</summary>
    Task DisconnectAsync(string agentId, DateTimeOffset now);

    /// <summary>Offers the request if it is queued without an offer and the agent has room; null otherwise.</summary>
    Task<Offer?> TryOfferAsync(string requestId, string agentId, DateTimeOffset deadline);
    Task<IReadOnlyList<Offer>> ListOffersAsync();

    /// <summary>Withdraws the agent's offer of the request and passes the agent over for it until <paramref name="passOverUntil"/>.</summary>
    Task<Offer?> TryWithdrawOfferAsync(string requestId, string agentId, DateTimeOffset passOverUntil);

    /// <summary>
    /// The atomic claim: the request leaves the queue and joins the agent's conversations, if it is still queued,
    /// and either the agent holds its offer or (<paramref name="requireOffer"/> false) it is unoffered and the agent has room;
    /// <paramref name="assign"/> makes the conversation theirs. When its guard refuses (the conversation stopped waiting),
    /// the request leaves the queue and the claim is refused.
    /// </summary>
    Task<bool> TryClaimAsync(string requestId, string agentId, bool requireOffer, DateTimeOffset now, ConversationChange? assign = null);

    /// <summary>
    /// Gives a conversation to an agent outside the queue (a transfer) if they are available and have room; the agent
    /// it comes from (<paramref name="fromAgentId"/>) lets go of it and <paramref name="change"/> is applied in the same
    /// step. False when the agent cannot take it, and then nothing changed.
    /// </summary>
    Task<bool> TryAssignAsync(string conversationId, string agentId, DateTimeOffset now, string? fromAgentId = null, ConversationChange? change = null);

    /// <summary>
    /// Records a conversation as held by an agent regardless of room, when routing state is rebuilt; an agent without a
    /// connection starts their grace period at <paramref name="now"/> (unless it started earlier), connections are untouched.
    /// </summary>
    Task AttachAsync(string conversationId, string agentId, DateTimeOffset now);

    /// <summary>
    /// When the agent is still without a connection since <paramref name="disconnectedBy"/> or earlier, sets them offline
    /// and releases every conversation they held; returns those, or null when the agent came back (or never left).
    /// </summary>
    Task<IReadOnlyList<string>?> TryRetireAsync(string agentId, DateTimeOffset disconnectedBy);

    /// <summary>The agent no longer holds the conversation.</summary>
    Task ReleaseAsync(string agentId, string conversationId);
}
