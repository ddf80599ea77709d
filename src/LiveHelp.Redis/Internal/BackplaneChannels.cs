namespace LiveHelp.Redis.Internal;

/// <summary>
/// The backplane's channel names for one hub, before <see cref="RedisConnection.Channel"/> adds the installation
/// prefix and makes them literal: <c>{prefix}:signalr:{hub}:all</c>, <c>…:conn:{connectionId}</c>,
/// <c>…:group:{group}</c>, <c>…:user:{userId}</c> and <c>…:node:{nodeId}</c>.
/// </summary>
internal sealed class BackplaneChannels(string hubName)
{
    private readonly string _root = $"signalr:{hubName}:";

    /// <summary>Every node of this hub listens here.</summary>
    public string All => _root + "all";

    /// <summary>Only the node holding the connection listens here: sends to it and group changes for it.</summary>
    public string Connection(string connectionId) => _root + "conn:" + connectionId;

    public string Group(string groupName) => _root + "group:" + groupName;

    public string User(string userId) => _root + "user:" + userId;

    /// <summary>One node's own channel, where the acknowledgements of its group changes come back.</summary>
    public string Node(Guid nodeId) => _root + "node:" + nodeId.ToString("N");
}
