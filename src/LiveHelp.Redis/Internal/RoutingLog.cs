using Microsoft.Extensions.Logging;

namespace LiveHelp.Redis.Internal;

internal static partial class RoutingLog
{
    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "Node {NodeId} stopped heartbeating; {AgentCount} agents lost their connections on it")]
    public static partial void NodeReaped(ILogger logger, string nodeId, int agentCount);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "Node {NodeId} held other connections than Redis recorded for it (it had been taken for dead, restarted under the same id, or Redis lost its data); {SeatCount} seats corrected")]
    public static partial void ConnectionsRestored(ILogger logger, string nodeId, int seatCount);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "Node {NodeId} could not heartbeat or reap dead nodes")]
    public static partial void HeartbeatFailed(ILogger logger, string nodeId, Exception exception);
}
