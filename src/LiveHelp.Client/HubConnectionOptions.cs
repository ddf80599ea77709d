using System.Net.WebSockets;
using System.Text.Json;
using LiveHelp.Client.Internal;

namespace LiveHelp.Client;

public sealed class HubConnectionOptions
{
    /// <summary>Called before each connection attempt (including reconnects), so a fresh token can be fetched.</summary>
    public Func<Task<string?>>? AccessTokenProvider { get; set; }

    /// <summary>Open the WebSocket directly, without POST /negotiate (for load balancers without sticky sessions).</summary>
    public bool SkipNegotiation { get; set; }

    /// <summary>How often to ping the server when nothing else was sent.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>No message from the server for this long means the connection is gone.</summary>
    public TimeSpan ServerTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long each step of a connection attempt (negotiate, the WebSocket upgrade, the handshake) may wait for the
    /// server. An attempt that waits longer is given up and tried again after the next of <see cref="ReconnectDelays"/>,
    /// when starting as when reconnecting: a node that accepts connections but never answers holds nobody up.
    /// </summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    public bool AutomaticReconnect { get; set; } = true;

    /// <summary>Wait before each reconnect attempt; the last value repeats.</summary>
    public IReadOnlyList<TimeSpan> ReconnectDelays { get; set; } =
    [
        TimeSpan.Zero,
        TimeSpan.FromSeconds(1),
        TimeSpan.FromSeconds(2),
        TimeSpan.FromSeconds(5),
        TimeSpan.FromSeconds(10),
    ];

    /// <summary>Give up after this many failed attempts in a row; null never gives up.</summary>
    public int? MaxReconnectAttempts { get; set; }

    /// <summary>The hub protocol: MessagePack (compact, the default) or JSON (what the browser widget speaks).</summary>
    public HubWireFormat Format { get; set; } = HubWireFormat.MessagePack;

    /// <summary>Web defaults with enums as camelCase strings, as the LiveHelp server is configured; for the HTTP API and the JSON hub protocol.</summary>
    public JsonSerializerOptions JsonOptions { get; set; } = LiveHelpJson.CreateOptions();

    /// <summary>Used for the HTTP API (sign-in, visitor tokens); a shared client when null.</summary>
    public HttpClient? HttpClient { get; set; }

    public Action<ClientWebSocketOptions>? ConfigureWebSocket { get; set; }

    /// <summary>Told about exceptions thrown by event handlers (the event name, the exception); they are otherwise swallowed.</summary>
    public Action<string, Exception>? HandlerFailed { get; set; }

    internal TimeSpan ReconnectDelay(int attempt) => ReconnectDelays[Math.Min(attempt, ReconnectDelays.Count - 1)];

    internal HubConnectionOptions Clone() => (HubConnectionOptions)MemberwiseClone();

    internal void Validate()
    {
        if (ReconnectDelays is null || ReconnectDelays.Count == 0 || ReconnectDelays.Any(d => d < TimeSpan.Zero))
        {
            throw new ArgumentException("ReconnectDelays must hold at least one non-negative delay.");
        }
        if (MaxReconnectAttempts < 0)
        {
            throw new ArgumentException("MaxReconnectAttempts cannot be negative.");
        }
        if (KeepAliveInterval <= TimeSpan.Zero || ServerTimeout <= TimeSpan.Zero || ConnectTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("KeepAliveInterval, ServerTimeout and ConnectTimeout must be positive.");
        }
        ArgumentNullException.ThrowIfNull(JsonOptions);
    }
}

public enum HubWireFormat
{
    MessagePack,
    Json,
}
