using Microsoft.Extensions.Logging;

namespace LiveHelp.Redis.Internal;

/// <summary>Everything the Redis backplane logs; the event ids are stable.</summary>
internal static partial class RedisBackplaneLog
{
    [LoggerMessage(201, LogLevel.Information, "Redis backplane for hub {Hub} started as node {NodeId}; Redis connected: {Connected}")]
    public static partial void Started(ILogger logger, string hub, Guid nodeId, bool connected);

    [LoggerMessage(202, LogLevel.Warning, "Redis backplane for hub {Hub} lost its connection to Redis; messages to other nodes fail until it is back")]
    public static partial void ConnectionLost(ILogger logger, string hub);

    [LoggerMessage(203, LogLevel.Information, "Redis backplane for hub {Hub} is connected to Redis again")]
    public static partial void ConnectionRestored(ILogger logger, string hub);

    [LoggerMessage(204, LogLevel.Debug, "Subscribed to {Channel}")]
    public static partial void Subscribed(ILogger logger, string channel);

    [LoggerMessage(205, LogLevel.Debug, "Unsubscribed from {Channel}")]
    public static partial void Unsubscribed(ILogger logger, string channel);

    [LoggerMessage(206, LogLevel.Warning, "Could not unsubscribe from {Channel}; Redis drops it with the link")]
    public static partial void UnsubscribeFailed(ILogger logger, string channel, Exception exception);

    [LoggerMessage(207, LogLevel.Error, "Could not publish to {Channel}")]
    public static partial void PublishFailed(ILogger logger, string channel, Exception exception);

    [LoggerMessage(208, LogLevel.Warning, "Writing to connection {ConnectionId} failed; the other receivers are not affected")]
    public static partial void WriteFailed(ILogger logger, string connectionId, Exception exception);

    [LoggerMessage(209, LogLevel.Error, "Dropped an unreadable backplane message")]
    public static partial void UnreadableMessage(ILogger logger, Exception exception);

    [LoggerMessage(210, LogLevel.Error, "Could not apply {Action} of connection {ConnectionId} to group {Group} for another node")]
    public static partial void GroupCommandFailed(ILogger logger, string action, string connectionId, string group, Exception exception);

    [LoggerMessage(211, LogLevel.Warning, "No node confirmed {Action} of connection {ConnectionId} to group {Group} within {Timeout}")]
    public static partial void AckTimedOut(ILogger logger, string action, string connectionId, string group, TimeSpan timeout);

    [LoggerMessage(212, LogLevel.Debug, "No node holds connection {ConnectionId}; {Action} of group {Group} has nothing to change")]
    public static partial void NoOwner(ILogger logger, string connectionId, string action, string group);

    [LoggerMessage(213, LogLevel.Error, "Could not acknowledge a group change to node {NodeId}")]
    public static partial void AckFailed(ILogger logger, Guid nodeId, Exception exception);

    [LoggerMessage(214, LogLevel.Information, "Redis connection for key prefix {Prefix} opened; connected: {Connected} (it keeps retrying while Redis is down)")]
    public static partial void ConnectionOpened(ILogger logger, string prefix, bool connected);

    [LoggerMessage(215, LogLevel.Error, "A message on {Channel} could not be handled")]
    public static partial void HandlerFailed(ILogger logger, string channel, Exception exception);

    [LoggerMessage(216, LogLevel.Warning, "Redis is unreachable; {Channel} will be subscribed when the connection is back")]
    public static partial void SubscribePending(ILogger logger, string channel, Exception exception);
}
