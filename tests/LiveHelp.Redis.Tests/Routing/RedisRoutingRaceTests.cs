using LiveHelp.Core.Routing;

namespace LiveHelp.Redis.Tests.Routing;

/// <summary>The race with every node its own Redis connection and store, as separate processes would be.</summary>
public sealed class RedisRoutingRaceTests(RoutingRedisFixture redis) : RoutingRaceBehaviour, IClassFixture<RoutingRedisFixture>, IAsyncLifetime
{
    private readonly RoutingConnections _connections = new(redis);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _connections.DisposeAsync();

    protected override async Task<IReadOnlyList<IRoutingStore>> CreateNodesAsync(int count)
    {
        var nodes = new List<IRoutingStore>();
        for (var i = 0; i < count; i++)
        {
            nodes.Add(new RedisRoutingStore(await _connections.OpenAsync(), $"node-{i}"));
        }
        return nodes;
    }
}
