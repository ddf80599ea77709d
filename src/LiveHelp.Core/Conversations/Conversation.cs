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

    /// <summary>Optimistic concurrency: a store refuses an update made from a stale copy.</summary>
    public int Version { get; init; }

    public bool IsOpen => Status is ConversationStatus.Queued or ConversationStatus.Active;

    public TimeSpan? QueueWait => FirstAssignedAt - CreatedAt;
    public TimeSpan? FirstResponse => FirstAgentReplyAt - FirstAssignedAt;
    public TimeSpan? HandleTime => ClosedAt - FirstAssignedAt;
}
