namespace LiveHelp.Core.Calls;

/// <summary>What a call carries. Mayday: audio both ways, the agent's video to the customer only, the customer's screen to the agent.</summary>
public enum CallProfile
{
    Voice,
    Video,
    Mayday,
}

public enum CallState
{
    Ringing,
    Connecting,
    Connected,
    Ended,
}

/// <summary>The customer's screen share, which only they control.</summary>
public enum ScreenShare
{
    Off,
    Sharing,
    Paused,
}

/// <summary>A call upgraded in place from a conversation; media flows browser to browser, the hub only signals.</summary>
public sealed record Call
{
    public required string Id { get; init; }
    public required string ConversationId { get; init; }
    public CallProfile Profile { get; init; }
    public CallState State { get; init; }

    /// <summary>"customer" or "agent": the side that started the call; the other side answers.</summary>
    public required string StartedBy { get; init; }
    public ScreenShare Screen { get; init; }
    public DateTimeOffset RingingAt { get; init; }
    public DateTimeOffset? AnsweredAt { get; init; }
    public DateTimeOffset? ConnectedAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>When each side last reported its media connected; a side silent for too long has vanished.</summary>
    public DateTimeOffset? CustomerAliveAt { get; init; }
    public DateTimeOffset? AgentAliveAt { get; init; }

    /// <summary>declined, ended, missed, failed, lost, conversation_closed, transferred.</summary>
    public string? EndReason { get; init; }
    public int Version { get; init; }

    public bool IsLive => State != CallState.Ended;

    /// <summary>Talk time: from connected to ended.</summary>
    public TimeSpan? Duration => ConnectedAt is { } connected && EndedAt is { } ended ? ended - connected : null;
}
