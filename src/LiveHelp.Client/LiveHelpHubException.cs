namespace LiveHelp.Client;

/// <summary>The server refused a hub call; <see cref="Code"/> is the stable error code (see LiveHelp.Core.ErrorCodes).</summary>
public sealed class LiveHelpHubException : Exception
{
    public const string UnknownCode = "error";

    private const string HubExceptionMarker = "HubException: ";

    public LiveHelpHubException(string code, string message, string? serverError = null)
        : base(message)
    {
        Code = code;
        ServerError = serverError ?? message;
    }

    public string Code { get; }

    /// <summary>The error text exactly as the server sent it.</summary>
    public string ServerError { get; }

    /// <summary>
    /// Reads a completion error. A stock server prefixes a HubException's message with
    /// "An unexpected error occurred invoking 'X' on the server. HubException: "; the rest is "code: human text".
    /// </summary>
    public static LiveHelpHubException FromServerError(string error)
    {
        var text = error;
        var marker = error.IndexOf(HubExceptionMarker, StringComparison.Ordinal);
        if (marker >= 0)
        {
            text = error[(marker + HubExceptionMarker.Length)..];
        }
        var separator = text.IndexOf(": ", StringComparison.Ordinal);
        if (separator > 0 && IsCode(text.AsSpan(0, separator)))
        {
            return new LiveHelpHubException(text[..separator], text[(separator + 2)..], error);
        }
        return new LiveHelpHubException(UnknownCode, text, error);
    }

    /// <summary>Codes are lower-case words joined by underscores, like "conversation_closed".</summary>
    private static bool IsCode(ReadOnlySpan<char> candidate)
    {
        if (candidate.IsEmpty || !char.IsAsciiLetterLower(candidate[0]))
        {
            return false;
        }
        foreach (var c in candidate)
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '.' or '-'))
            {
                return false;
            }
        }
        return true;
    }
}
