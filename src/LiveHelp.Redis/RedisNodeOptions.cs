namespace LiveHelp.Redis;

/// <summary>How this node tells the others it is alive ("LiveHelp:Redis:Node").</summary>
public sealed class RedisNodeOptions
{
    /// <summary>Unique among the live nodes; by default the machine name and a random suffix, new at every start.</summary>
    public string NodeId { get; set; } = $"{Environment.MachineName}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>How often the node renews its heartbeat and looks for dead nodes.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How long a heartbeat lasts: a node silent this long is dead and its agents' connections are taken away.</summary>
    public TimeSpan HeartbeatTtl { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Throws when the options cannot work, so a bad configuration fails at start-up.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(NodeId))
        {
            throw new ArgumentException("A node needs an id.", nameof(NodeId));
        }
        if (HeartbeatInterval <= TimeSpan.Zero || HeartbeatTtl <= HeartbeatInterval)
        {
            throw new ArgumentException(
                $"The heartbeat TTL ({HeartbeatTtl}) must be longer than its interval ({HeartbeatInterval}), which must be positive.",
                nameof(HeartbeatTtl));
        }
    }
}
