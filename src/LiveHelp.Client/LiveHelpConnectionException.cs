namespace LiveHelp.Client;

/// <summary>
/// The connection could not be made, was lost, or was closed by the server. A call that fails with this may not have
/// reached the server, or its answer was lost; calls carrying a client message id are safe to repeat.
/// </summary>
public sealed class LiveHelpConnectionException : Exception
{
    public LiveHelpConnectionException(string message, Exception? innerException = null, string? serverError = null, bool allowReconnect = true)
        : base(message, innerException)
    {
        ServerError = serverError;
        AllowReconnect = allowReconnect;
    }

    /// <summary>The error the server gave when it refused or closed the connection, if any.</summary>
    public string? ServerError { get; }

    /// <summary>False when the server said not to reconnect (a close message without allowReconnect, a refused handshake).</summary>
    public bool AllowReconnect { get; }
}
