using LiveHelp.Core.Calls;
using LiveHelp.Core.Tests.Calls;
using LiveHelp.Redis.Tests.Routing;

namespace LiveHelp.Redis.Tests.Calls;

/// <summary>The shared live-call store contract against a real redis-server, each test under a prefix of its own.</summary>
public sealed class RedisCallStoreTests(RoutingRedisFixture redis) : CallStoreBehaviour, IClassFixture<RoutingRedisFixture>, IAsyncLifetime
{
    private readonly RoutingConnections _connections = new(redis);
    private RedisConnection? _connection;

    public async Task InitializeAsync() => _connection = await _connections.OpenAsync();

    public async Task DisposeAsync() => await _connections.DisposeAsync();

    protected override ICallStore CreateStore() => new RedisCallStore(_connection ?? throw new InvalidOperationException("Not connected yet."));
}
