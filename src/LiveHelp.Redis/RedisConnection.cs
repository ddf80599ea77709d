using StackExchange.Redis;

namespace LiveHelp.Redis;

/// <summary>
/// The one seam over StackExchange.Redis (pinned to 1.2.6): everything LiveHelp does with Redis goes through this
/// connection, so a version change touches this project only.
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

    public bool IsConnected => _multiplexer.IsConnected;

    /// <summary>Raised with false when the link to Redis breaks and with true when it is back.</summary>
    public event EventHandler<bool>? ConnectionChanged;

    public IDatabase Database => _multiplexer.GetDatabase();

    public ISubscriber Subscriber => _multiplexer.GetSubscriber();

    public static async Task<RedisConnection> ConnectAsync(RedisOptions options)
    {
        var configuration = ConfigurationOptions.Parse(options.Configuration);
        // Start even while Redis is down and keep retrying: readiness reports the outage instead of a crash.
        configuration.AbortOnConnectFail = false;
        return new RedisConnection(await ConnectionMultiplexer.ConnectAsync(configuration), options.Prefix);
    }

    /// <summary>The synchronous <see cref="ConnectAsync"/>, for a DI singleton factory; also starts while Redis is down.</summary>
    public static RedisConnection Connect(RedisOptions options)
    {
        var configuration = ConfigurationOptions.Parse(options.Configuration);
        configuration.AbortOnConnectFail = false;
        return new RedisConnection(ConnectionMultiplexer.Connect(configuration), options.Prefix);
    }

    /// <summary>A channel that is always literal: a group or user called "*" must never become a pattern.</summary>
    public RedisChannel Channel(string name) => new($"{Prefix}:{name}", RedisChannel.PatternMode.Literal);

    public RedisKey Key(string name) => $"{Prefix}:{name}";

    public void Dispose() => _multiplexer.Dispose();
}
