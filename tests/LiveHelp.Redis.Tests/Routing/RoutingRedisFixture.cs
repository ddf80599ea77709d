namespace LiveHelp.Redis.Tests.Routing;

/// <summary>One real redis-server for a test class; every test gets connections under a prefix of its own.</summary>
public sealed class RoutingRedisFixture : IAsyncLifetime
{
    private RedisServer? _server;

    public RedisServer Server => _server ?? throw new InvalidOperationException("The redis-server has not started.");

    public async Task InitializeAsync() => _server = await RedisServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    public static string NewPrefix() => $"test-{Guid.NewGuid():N}";

    /// <summary>A connection of its own (as a node has), under <paramref name="prefix"/>.</summary>
    public Task<RedisConnection> ConnectAsync(string prefix) =>
        RedisConnection.ConnectAsync(new RedisOptions { Configuration = Server.Configuration, Prefix = prefix });
}

/// <summary>The connections a test opened, closed when it ends.</summary>
public sealed class RoutingConnections(RoutingRedisFixture redis) : IAsyncDisposable
{
    private readonly List<RedisConnection> _open = [];

    public string Prefix { get; } = RoutingRedisFixture.NewPrefix();

    public async Task<RedisConnection> OpenAsync()
    {
        var connection = await redis.ConnectAsync(Prefix);
        lock (_open)
        {
            _open.Add(connection);
        }
        return connection;
    }

    public ValueTask DisposeAsync()
    {
        lock (_open)
        {
            _open.ForEach(c => c.Dispose());
            _open.Clear();
        }
        return ValueTask.CompletedTask;
    }
}
