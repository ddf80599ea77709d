using LiveHelp.Core.Routing;

namespace LiveHelp.Core.Tests.Routing.Store;

/// <summary>The control: the same race with every node's router on one shared in-memory store.</summary>
public sealed class InMemoryRoutingRaceTests : RoutingRaceBehaviour
{
    protected override Task<IReadOnlyList<IRoutingStore>> CreateNodesAsync(int count)
    {
        var store = new InMemoryRoutingStore();
        return Task.FromResult<IReadOnlyList<IRoutingStore>>(Enumerable.Repeat<IRoutingStore>(store, count).ToList());
    }
}
