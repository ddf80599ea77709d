namespace LiveHelp.Client;

public enum HubConnectionState
{
    Disconnected,
    Connecting,
    Connected,

    /// <summary>The connection dropped and is being re-established; calls fail until it is back.</summary>
    Reconnecting,
}
