namespace LiveHelp.Client;

/// <summary>An HTTP API call failed; <see cref="Code"/> is the problem's stable error code.</summary>
public sealed class LiveHelpApiException(string code, int status, string message) : Exception(message)
{
    public string Code { get; } = code;

    /// <summary>The HTTP status code.</summary>
    public int Status { get; } = status;
}
