namespace LiveHelp.Core.Routing;

/// <summary>A node found dead, and the agents whose connections on it were taken away.</summary>
public sealed record DeadNode(string NodeId, IReadOnlyList<string> AgentIds);

/// <summary>
/// Which nodes are alive, for a routing store that counts agents' connections per node: a node that stops renewing
/// its heartbeat is dead, and any other node takes its connections away, so the agents' grace periods start.
/// </summary>
public interface INodeLiveness
{
    string NodeId { get; }

    /// <summary>Renews this node's heartbeat; a node found reaped (it was only slow) records its connections again.</summary>
    Task HeartbeatAsync(DateTimeOffset now);

    /// <summary>Takes away the connections of every other node silent for <paramref name="silence"/>; each dead node is reaped once.</summary>
    Task<IReadOnlyList<DeadNode>> ReapDeadNodesAsync(DateTimeOffset now, TimeSpan silence);

    /// <summary>Marks this node as gone, so the others reap what it still holds at their next look.</summary>
    Task LeaveAsync();
}
