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
    public const string Lost = "lost";

    /// <summary>How long a call rings before it counts as missed.</summary>
    public static readonly TimeSpan RingTimeout = TimeSpan.FromSeconds(45);

    /// <summary>How long an answered call may take to connect (ICE restart included) before it counts as failed.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(60);

    /// <summary>How often each side reports, while its media is connected, that it still is.</summary>
    public static readonly TimeSpan AliveInterval = TimeSpan.FromSeconds(10);

    /// <summary>How long, by default, a connected call goes on without a report from one side before it counts as lost.</summary>
    public static readonly TimeSpan SilenceTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The system message a call leaves in the transcript when it starts: what the history's "with a call" looks for.</summary>
    public static string StartedNotice(string? who, CallProfile profile) =>
        $"{who ?? "Someone"} started a {profile.ToString().ToLowerInvariant()} call.";

    /// <summary><see cref="StartedNotice"/> as an SQL LIKE pattern.</summary>
    public const string StartedNoticePattern = "% started a % call.";

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

    /// <summary>
    /// A side reports its media connected: the first report connects the call; each report, first or repeated, says
    /// that side is still there.
    /// </summary>
    public static Call Connected(Call call, string side, DateTimeOffset now)
    {
        var connected = call.State switch
        {
            CallState.Connecting => call with { State = CallState.Connected, ConnectedAt = now },
            CallState.Connected => call,
            _ => throw new LiveHelpException(ErrorCodes.InvalidInput, "the call is not being connected"),
        };
        return side == Roles.Customer ? connected with { CustomerAliveAt = now } : connected with { AgentAliveAt = now };
    }

    public static Call End(Call call, string reason, DateTimeOffset now) => call.IsLive
        ? call with { State = CallState.Ended, EndedAt = now, EndReason = reason, Screen = ScreenShare.Off }
        : call;

    /// <summary>The customer shares, pauses or stops the screen: in any profile, while the call is live (the hub checks who).</summary>
    public static Call SetScreen(Call call, ScreenShare screen) => call.IsLive
        ? call with { Screen = screen }
        : throw new LiveHelpException(ErrorCodes.InvalidInput, "the call has ended");

    /// <summary>Connected, but one side has not reported for the silence timeout: it went away without hanging up.</summary>
    public static bool HasGoneSilent(Call call, DateTimeOffset now, TimeSpan silenceTimeout) =>
        call.State == CallState.Connected && call.ConnectedAt is { } connected
        && (now - (call.CustomerAliveAt ?? connected) >= silenceTimeout || now - (call.AgentAliveAt ?? connected) >= silenceTimeout);

    public static bool HasRungOut(Call call, DateTimeOffset now) => call.State == CallState.Ringing && now - call.RingingAt >= RingTimeout;

    /// <summary>Answered but never connected: media could not get through, or a side went away without hanging up.</summary>
    public static bool HasFailedToConnect(Call call, DateTimeOffset now) =>
        call.State == CallState.Connecting && call.AnsweredAt is { } answered && now - answered >= ConnectTimeout;
}
