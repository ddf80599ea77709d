namespace LiveHelp.Core.Conversations;

public enum ConversationStatus
{
    Queued,
    Active,
    Closed,
    Cancelled,
}

/// <summary>One customer's request for help, from the press of the button to the rating.</summary>
public sealed record Conversation
{
    public required string Id { get; init; }
    public required string VisitorId { get; init; }
    public required string Topic { get; init; }
    public HelpMode Mode { get; init; }
    public ConversationStatus Status { get; init; }
    public PreQualification PreQualification { get; init; } = new();
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the request last entered the queue; queue order is by this within a priority.</summary>
    public DateTimeOffset EnqueuedAt { get; init; }

    /// <summary>Put back by a lost agent or a transfer: served before new arrivals.</summary>
    public bool Requeued { get; init; }

    public string? AgentId { get; init; }
    public string? AgentName { get; init; }
    public DateTimeOffset? FirstAssignedAt { get; init; }
    public DateTimeOffset? FirstAgentReplyAt { get; init; }
    public DateTimeOffset? ClosedAt { get; init; }
    public string? ClosedBy { get; init; }
    public int? Rating { get; init; }
    public string? RatingComment { get; init; }
    public long CustomerReadSeq { get; init; }
    public long AgentReadSeq { get; init; }

    /// <summary>Where the customer is, and since when; written only by <see cref="ICustomerPresenceStore"/>, never with the rest.</summary>
    public CustomerPresence Presence { get; init; }
    public DateTimeOffset PresenceSince { get; init; }

    /// <summary>Optimistic concurrency: a store refuses an update made from a stale copy.</summary>
    public int Version { get; init; }

    public bool IsOpen => Status is ConversationStatus.Queued or ConversationStatus.Active;

    public TimeSpan? QueueWait => FirstAssignedAt - CreatedAt;
    public TimeSpan? FirstResponse => FirstAgentReplyAt - FirstAssignedAt;
    public TimeSpan? HandleTime => ClosedAt - FirstAssignedAt;

    // The state changes: each one checks that the conversation is where it may start from, and refuses with a code.

    /// <summary>An agent takes the conversation from the queue.</summary>
    public Conversation AssignTo(string agentId, string agentName, DateTimeOffset now) => Status == ConversationStatus.Queued
        ? this with
        {
            Status = ConversationStatus.Active,
            AgentId = agentId,
            AgentName = agentName,
            FirstAssignedAt = FirstAssignedAt ?? now,
            Requeued = false,
        }
        : throw new LiveHelpException(ErrorCodes.OfferGone, "the conversation is no longer waiting");

    /// <summary>The agent who holds the conversation hands it to another agent.</summary>
    public Conversation TransferTo(string fromAgentId, string agentId, string agentName) => IsHeldBy(fromAgentId)
        ? this with { AgentId = agentId, AgentName = agentName }
        : throw MovedOn();

    /// <summary>The conversation goes back to the front of the queue for <paramref name="topic"/> (its agent was lost, or passed it on).</summary>
    public Conversation Requeue(string fromAgentId, string topic, DateTimeOffset now) => IsHeldBy(fromAgentId)
        ? this with
        {
            Status = ConversationStatus.Queued,
            Topic = topic,
            AgentId = null,
            AgentName = null,
            Requeued = true,
            EnqueuedAt = now,
        }
        : throw MovedOn();

    /// <summary>The customer stops waiting.</summary>
    public Conversation Cancel(DateTimeOffset now) => Status == ConversationStatus.Queued
        ? this with { Status = ConversationStatus.Cancelled, ClosedAt = now, ClosedBy = Roles.Customer }
        : throw new LiveHelpException(ErrorCodes.NotQueued, "the conversation is not waiting in the queue");

    public Conversation Close(string closedBy, DateTimeOffset now) => IsOpen
        ? this with { Status = ConversationStatus.Closed, ClosedAt = now, ClosedBy = closedBy }
        : throw new LiveHelpException(ErrorCodes.ConversationClosed, "the conversation is already closed");

    /// <summary>
    /// Closes a conversation whose customer has been gone since <paramref name="goneBy"/> or earlier; refused when they
    /// came back or it closed meanwhile.
    /// </summary>
    public Conversation CloseAbandoned(DateTimeOffset goneBy, DateTimeOffset now) => Presence == CustomerPresence.Gone && PresenceSince <= goneBy
        ? Close(Roles.System, now)
        : throw new LiveHelpException(ErrorCodes.Conflict, "the customer came back");

    /// <summary>The customer rates a conversation that has ended, once.</summary>
    public Conversation Rate(int rating, string? comment) => this switch
    {
        _ when rating is < 1 or > 5 => throw new LiveHelpException(ErrorCodes.RatingOutOfRange, "rating must be from 1 to 5"),
        { IsOpen: true } => throw new LiveHelpException(ErrorCodes.InvalidInput, "a conversation is rated once it is closed"),
        { Rating: not null } => throw new LiveHelpException(ErrorCodes.AlreadyRated, "this conversation has been rated"),
        _ => this with { Rating = rating, RatingComment = comment },
    };

    /// <summary>The first agent reply is kept: it is when the customer first heard from a human.</summary>
    public Conversation AgentReplied(DateTimeOffset at) => this with { FirstAgentReplyAt = FirstAgentReplyAt ?? at };

    private bool IsHeldBy(string agentId) => Status == ConversationStatus.Active && AgentId == agentId;

    private static LiveHelpException MovedOn() => new(ErrorCodes.Conflict, "the conversation has moved on; try again");
}
