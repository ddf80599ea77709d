using LiveHelp.Core.Routing;
using LiveHelp.Core.Tests.Routing.Store;

namespace LiveHelp.Redis.Tests.Routing;

/// <summary>The shared routing store contract, against a real redis-server; each test under a prefix of its own.</summary>
public sealed class RedisRoutingStoreTests(RoutingRedisFixture redis) : RoutingStoreBehaviour, IClassFixture<RoutingRedisFixture>, IAsyncLifetime
{
    private readonly RoutingConnections _connections = new(redis);
    private RedisConnection? _connection;

    public async Task InitializeAsync() => _connection = await _connections.OpenAsync();

    public async Task DisposeAsync() => await _connections.DisposeAsync();

    protected override IRoutingStore CreateStore() =>
        new RedisRoutingStore(_connection ?? throw new InvalidOperationException("Not connected yet."), "node-a");
}
