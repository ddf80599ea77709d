using LiveHelp.Core.Routing;

namespace LiveHelp.Core.Tests.Routing.Store;

public sealed class InMemoryRoutingStoreTests : RoutingStoreBehaviour
{
    protected override IRoutingStore CreateStore() => new InMemoryRoutingStore();
}
