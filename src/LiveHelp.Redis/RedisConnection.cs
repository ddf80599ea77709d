using StackExchange.Redis;

namespace LiveHelp.Redis;

/// <summary>
/// The node's one link to Redis, shared by the SignalR backplane, the readiness check and the stores. Every key
/// (<see cref="Key"/>) and, through the multiplexer's channel prefix, every pub/sub channel starts with
/// <c>{prefix}:</c>, so several installations can share one Redis.
/// </summary>
public sealed class RedisConnection : IDisposable
{
    private readonly ConnectionMultiplexer _multiplexer;

    private RedisConnection(ConnectionMultiplexer multiplexer, string prefix)
    {
        _multiplexer = multiplexer;
        Prefix = prefix;
        _multiplexer.ConnectionFailed += (_, _) => ConnectionChanged?.Invoke(this, false);
        _multiplexer.ConnectionRestored += (_, _) => ConnectionChanged?.Invoke(this, _multiplexer.IsConnected);
    }

    public string Prefix { get; }

    /// <summary>Commands and pub/sub both have a live link to Redis.</summary>
    public bool IsConnected => _multiplexer.IsConnected && _multiplexer.GetSubscriber().IsConnected();

    /// <summary>Raised with false when a link to Redis breaks and with true when one is back.</summary>
    public event EventHandler<bool>? ConnectionChanged;

    public IDatabase Database => _multiplexer.GetDatabase();

    public ISubscriber Subscriber => _multiplexer.GetSubscriber();

    public static async Task<RedisConnection> ConnectAsync(RedisOptions options) =>
        new(await ConnectionMultiplexer.ConnectAsync(Configure(options)), options.Prefix);

    /// <summary>The synchronous <see cref="ConnectAsync"/>, for a DI singleton factory; also starts while Redis is down.</summary>
    public static RedisConnection Connect(RedisOptions options) =>
        new(ConnectionMultiplexer.Connect(Configure(options)), options.Prefix);

    /// <summary>
    /// The multiplexer, for the SignalR backplane's <c>ConnectionFactory</c>, once both links are up. The backplane
    /// subscribes its node-wide channels (all, group commands, acks) only on the first call and never retries a
    /// subscription that failed there, so a node started while Redis is away would stay deaf to them; refusing here
    /// makes it ask again on its next use.
    /// </summary>
    /// <exception cref="RedisConnectionException">Redis is not reachable yet.</exception>
    public Task<IConnectionMultiplexer> ForBackplaneAsync(TextWriter? log = null) =>
        IsConnected
            ? Task.FromResult<IConnectionMultiplexer>(_multiplexer)
            : Task.FromException<IConnectionMultiplexer>(
                new RedisConnectionException(ConnectionFailureType.UnableToConnect, "Redis is not reachable yet; the connection retries by itself."));

    public RedisKey Key(string name) => $"{Prefix}:{name}";

    public void Dispose() => _multiplexer.Dispose();

    private static ConfigurationOptions Configure(RedisOptions options)
    {
        var configuration = ConfigurationOptions.Parse(options.Configuration);
        // Start even while Redis is down and keep retrying: readiness reports the outage instead of a crash.
        configuration.AbortOnConnectFail = false;
        // While Redis is away a command fails at once instead of waiting in a backlog: the store of record has what
        // matters, hub calls must not hang for the sync timeout, and clients resync when Redis is back.
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        configuration.ChannelPrefix = RedisChannel.Literal($"{options.Prefix}:");
        return configuration;
    }
}
