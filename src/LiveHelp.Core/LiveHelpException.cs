namespace LiveHelp.Core;

/// <summary>A refusal with a stable code that clients can act on; the message is for people.</summary>
public sealed class LiveHelpException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

/// <summary>The stable error codes of the hub and the HTTP API (see docs/HUB.md).</summary>
public static class ErrorCodes
{
    public const string InvalidInput = "invalid_input";
    public const string TooLong = "too_long";
    public const string TooLarge = "too_large";
    public const string UnknownTopic = "unknown_topic";
    public const string NotFound = "not_found";
    public const string ConversationClosed = "conversation_closed";
    public const string RatingOutOfRange = "rating_out_of_range";
    public const string RateLimited = "rate_limited";
    public const string Forbidden = "forbidden";
    public const string Unauthorized = "unauthorized";
    public const string NotQueued = "not_queued";
    public const string OfferGone = "offer_gone";
    public const string AgentUnavailable = "agent_unavailable";
    public const string IdentityInvalid = "identity_invalid";
    public const string Conflict = "conflict";
    public const string AlreadyRated = "already_rated";
    public const string OriginNotAllowed = "origin_not_allowed";
    public const string CallInProgress = "call_in_progress";
    public const string BadRange = "bad_range";
    public const string BadTimeZone = "bad_time_zone";

    /// <summary>A file that is not a PNG, JPEG, GIF, WebP image or a PDF, judged by its bytes.</summary>
    public const string UnsupportedType = "unsupported_type";

    public const string InvalidFilter = "invalid_filter";
    public const string InvalidDate = "invalid_date";
    public const string InvalidLimit = "invalid_limit";
    public const string InvalidCursor = "invalid_cursor";

    /// <summary>The store could not be reached for a moment (restarting, failing over): the same call may be repeated.</summary>
    public const string Unavailable = "unavailable";
}
