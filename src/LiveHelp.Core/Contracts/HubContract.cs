using System.Diagnostics.CodeAnalysis;
using LiveHelp.Core.Conversations;

namespace LiveHelp.Core.Contracts;

/// <summary>Names of the hub and its methods (the events it sends: <see cref="IHelpClient"/>): the contract widget, console and SDKs share.</summary>
public static class Hub
{
    public const string Path = "/hub";

    /// <summary>Methods a client invokes.</summary>
    public static class Methods
    {
        public const string RequestHelp = "RequestHelp";
        public const string CancelHelp = "CancelHelp";
        public const string LeaveMessage = "LeaveMessage";
        public const string SendMessage = "SendMessage";
        public const string Typing = "Typing";
        public const string MarkRead = "MarkRead";
        public const string Resume = "Resume";
        public const string CloseConversation = "CloseConversation";
        public const string Rate = "Rate";
        public const string MyConversations = "MyConversations";
        public const string SetStatus = "SetStatus";
        public const string AcceptOffer = "AcceptOffer";
        public const string DeclineOffer = "DeclineOffer";
        public const string AddNote = "AddNote";
        public const string Transfer = "Transfer";
        public const string Watch = "Watch";
        public const string GetQueue = "GetQueue";
        public const string SetPresence = "SetPresence";
    }
}

/// <summary>
/// The events the server sends, one method each: SignalR sends a typed client's call under the method's name, so these
/// names are the wire names, camelCase as the browser and the SDKs have always listened for them.
/// </summary>
[SuppressMessage("Style", "IDE1006:Naming Styles", Justification = "The method names are the camelCase wire names.")]
public interface IHelpClient
{
    /// <summary>To the waiting customer, whenever their place changes.</summary>
    Task queueUpdate(QueueUpdate update);

    /// <summary>To the customer, when an agent accepts or takes over.</summary>
    Task agentJoined(AgentJoined joined);

    Task message(Message message);

    Task typing(TypingNotice notice);

    Task read(ReadNotice notice);

    Task conversationClosed(ConversationClosed closed);

    /// <summary>To the agent who held the closed conversation and its watchers, when the customer rates it.</summary>
    Task conversationRated(ConversationRated rated);

    /// <summary>To the agent and watchers: the customer is here, away (their tab hidden) or gone, since when.</summary>
    Task customerPresence(CustomerPresenceChanged changed);

    Task offer(OfferNotice offer);

    Task offerWithdrawn(OfferWithdrawn withdrawn);

    /// <summary>To the agent who now holds the conversation.</summary>
    Task assigned(ConversationView conversation);

    Task unassigned(Unassigned unassigned);

    Task statusChanged(StatusChanged changed);

    /// <summary>Live delivery may have missed something (the backplane was down): clients fetch their open conversations again.</summary>
    Task resync();

    /// <summary>A call rings (to both sides: the starter learns its id, the other side is asked).</summary>
    Task callStarted(CallView call);

    /// <summary>The call's state or screen share changed.</summary>
    Task callUpdated(CallView call);

    Task callSignal(CallSignal signal);

    Task annotation(Annotation annotation);

    Task callEnded(CallEnded ended);
}

/// <summary>What the customer says when pressing the button; only the topic is required.</summary>
public sealed record RequestHelpInput
{
    public string Topic { get; init; } = "";
    public HelpMode Mode { get; init; }
    public string? Details { get; init; }
    public string? Name { get; init; }
    public string? Email { get; init; }
    public string? PageUrl { get; init; }
    public string? OrderId { get; init; }
    public string? DeviceModel { get; init; }
    public string? DeviceOs { get; init; }
    public string? AppVersion { get; init; }
}

public static class RequestHelpStatus
{
    public const string Queued = "queued";
    public const string Assigned = "assigned";

    /// <summary>Nobody is online: the customer is told at once and may leave a message.</summary>
    public const string NoAgentsOnline = "no_agents_online";
}

public sealed record RequestHelpResult(string Status, ConversationView? Conversation, QueueUpdate? Place);

public sealed record OfflineMessageInput
{
    public string Text { get; init; } = "";
    public string? Topic { get; init; }
    public string? Name { get; init; }
    public string? Email { get; init; }
}

public sealed record TransferInput
{
    /// <summary>Give it to this agent, or else...</summary>
    public string? ToAgentId { get; init; }

    /// <summary>...put it back in this topic's queue (served before new arrivals).</summary>
    public string? ToTopic { get; init; }

    /// <summary>Shown to the next agent only.</summary>
    public string? Note { get; init; }
}

/// <summary>A conversation as clients see it: the pre-qualification, who is helping, and the kept figures.</summary>
public sealed record ConversationView
{
    public required string Id { get; init; }
    public string? VisitorId { get; init; }
    public required string Topic { get; init; }
    public HelpMode Mode { get; init; }
    public ConversationStatus Status { get; init; }
    public required PreQualification PreQualification { get; init; }
    public string? VerifiedUserId { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public string? AgentId { get; init; }
    public string? AgentName { get; init; }
    public DateTimeOffset? ClosedAt { get; init; }
    public string? ClosedBy { get; init; }
    public int? Rating { get; init; }
    public string? RatingComment { get; init; }
    public double? QueueWaitSeconds { get; init; }
    public double? FirstResponseSeconds { get; init; }
    public double? HandleSeconds { get; init; }
    public long CustomerReadSeq { get; init; }
    public long AgentReadSeq { get; init; }
    public CustomerPresence CustomerPresence { get; init; }
    public DateTimeOffset CustomerPresenceSince { get; init; }
}

/// <param name="Position">Null while <paramref name="NobodyOnline"/>: no number means anything then.</param>
/// <param name="EstimatedWaitSeconds">Null while <paramref name="NobodyOnline"/>.</param>
/// <param name="QueuedSince">When the conversation entered the queue this time (whole milliseconds): a place is stale once an agent joined from that stay in the queue.</param>
/// <param name="NobodyOnline">No agent online has the skill the request needs: it keeps its place, and its places return when one comes back.</param>
public sealed record QueueUpdate(string ConversationId, int? Position, int? EstimatedWaitSeconds, DateTimeOffset QueuedSince, bool NobodyOnline = false);

/// <param name="QueuedSince">When the conversation last entered the queue (whole milliseconds): places with this <c>QueuedSince</c> or earlier are stale.</param>
public sealed record AgentJoined(string ConversationId, string AgentId, string AgentName, DateTimeOffset QueuedSince);

public sealed record TypingNotice(string ConversationId, string Role, string? Name, bool IsTyping);

public sealed record ReadNotice(string ConversationId, string Role, long Seq);

public sealed record ConversationClosed(string ConversationId, string ClosedBy);

public sealed record ConversationRated(string ConversationId, int Rating, string? Comment);
public sealed record CustomerPresenceChanged(string ConversationId, CustomerPresence Presence, DateTimeOffset Since);

/// <summary>An offer to answer before <see cref="Deadline"/>; <see cref="TransferNote"/> is what the agent who passed it on to the team wrote.</summary>
public sealed record OfferNotice(string ConversationId, DateTimeOffset Deadline, ConversationView Conversation, string? TransferNote = null);

public sealed record OfferWithdrawn(string ConversationId, string Reason);

public sealed record Unassigned(string ConversationId, string Reason);

public sealed record StatusChanged(AgentStatus Status, string Reason);

public sealed record ResumeResult(ConversationView Conversation, IReadOnlyList<Message> Messages);

public sealed record QueueEntry(ConversationView Conversation, int Position, int EstimatedWaitSeconds, string? OfferedTo);
