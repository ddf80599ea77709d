using LiveHelp.Core.Calls;

namespace LiveHelp.Core.Contracts;

/// <summary>Hub method names for calls (see docs/CALLS.md); the events are on <see cref="IHelpClient"/>.</summary>
public static class CallHub
{
    public static class Methods
    {
        public const string StartCall = "StartCall";
        public const string AnswerCall = "AnswerCall";
        public const string Signal = "CallSignal";
        public const string Connected = "CallConnected";
        public const string SetScreenShare = "SetScreenShare";
        public const string Annotate = "Annotate";
        public const string EndCall = "EndCall";
    }
}

/// <summary>WebRTC signalling relayed to the other participant only: an SDP offer or answer, or one ICE candidate.</summary>
public sealed record CallSignal
{
    public string ConversationId { get; init; } = "";
    public string CallId { get; init; } = "";

    /// <summary>offer, answer or candidate.</summary>
    public string Kind { get; init; } = "";
    public string? Sdp { get; init; }

    /// <summary>The RTCIceCandidateInit as JSON text.</summary>
    public string? Candidate { get; init; }

    /// <summary>Set by the server: customer or agent.</summary>
    public string? From { get; init; }
}

/// <summary>What the agent draws on the shared screen, in coordinates normalised to it (0..1 each way).</summary>
public sealed record Annotation
{
    public string ConversationId { get; init; } = "";

    /// <summary>stroke (freehand), pointer (where to tap) or clear.</summary>
    public string Kind { get; init; } = "";
    public IReadOnlyList<double[]> Points { get; init; } = [];

    /// <summary>#rrggbb.</summary>
    public string Color { get; init; } = "#e11d48";
}

public sealed record CallEnded(string ConversationId, string CallId, string Reason, double? DurationSeconds);

public sealed record IceServer(IReadOnlyList<string> Urls, string? Username = null, string? Credential = null);

public sealed record IceServers(IReadOnlyList<IceServer> Servers, int TtlSeconds);

public sealed record CallView(string Id, string ConversationId, CallProfile Profile, CallState State, string StartedBy, ScreenShare Screen,
    DateTimeOffset RingingAt, DateTimeOffset? ConnectedAt)
{
    public static CallView Of(Call c) => new(c.Id, c.ConversationId, c.Profile, c.State, c.StartedBy, c.Screen, c.RingingAt, c.ConnectedAt);
}
