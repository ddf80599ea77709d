namespace LiveHelp.Core.Calls;

/// <summary>The call state machine: ringing → connecting → connected → ended; any live state may end.</summary>
public static class CallRules
{
    public const string Declined = "declined";
    public const string Hangup = "ended";
    public const string Missed = "missed";
    public const string ConversationClosed = "conversation_closed";
    public const string Transferred = "transferred";
    public const string Failed = "failed";

    /// <summary>How long a call rings before it counts as missed.</summary>
    public static readonly TimeSpan RingTimeout = TimeSpan.FromSeconds(45);

    /// <summary>How long an answered call may take to connect (ICE restart included) before it counts as failed.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(60);

    public static Call Start(string id, string conversationId, CallProfile profile, string startedBy, DateTimeOffset now) => new()
    {
        Id = id,
        ConversationId = conversationId,
        Profile = profile,
        StartedBy = startedBy,
        State = CallState.Ringing,
        RingingAt = now,
    };

    /// <summary>The other side said yes: media negotiation begins.</summary>
    public static Call Answer(Call call, DateTimeOffset now) => call.State == CallState.Ringing
        ? call with { State = CallState.Connecting, AnsweredAt = now }
        : throw new LiveHelpException(ErrorCodes.InvalidInput, "the call is not ringing");

    /// <summary>A side's media connected; the first report counts, later ones change nothing.</summary>
    public static Call Connected(Call call, DateTimeOffset now) => call.State switch
    {
        CallState.Connecting => call with { State = CallState.Connected, ConnectedAt = now },
        CallState.Connected => call,
        _ => throw new LiveHelpException(ErrorCodes.InvalidInput, "the call is not being connected"),
    };

    public static Call End(Call call, string reason, DateTimeOffset now) => call.IsLive
        ? call with { State = CallState.Ended, EndedAt = now, EndReason = reason, Screen = ScreenShare.Off }
        : call;

    /// <summary>The customer shares, pauses or stops the screen: in any profile, while the call is live (the hub checks who).</summary>
    public static Call SetScreen(Call call, ScreenShare screen) => call.IsLive
        ? call with { Screen = screen }
        : throw new LiveHelpException(ErrorCodes.InvalidInput, "the call has ended");

    public static bool HasRungOut(Call call, DateTimeOffset now) => call.State == CallState.Ringing && now - call.RingingAt >= RingTimeout;

    /// <summary>Answered but never connected: media could not get through, or a side went away without hanging up.</summary>
    public static bool HasFailedToConnect(Call call, DateTimeOffset now) =>
        call.State == CallState.Connecting && call.AnsweredAt is { } answered && now - answered >= ConnectTimeout;
}
