using LiveHelp.Core.Routing;

namespace LiveHelp.Core.Tests.Routing.Store;

public sealed class InMemoryRoutingStoreTests : RoutingStoreBehaviour
{
    protected override Task<IRoutingStore> CreateStoreAsync() => Task.FromResult<IRoutingStore>(new InMemoryRoutingStore());
}
