using LiveHelp.Core.Calls;

namespace LiveHelp.Core.Tests.Calls;

public sealed class InMemoryCallStoreTests : CallStoreBehaviour
{
    protected override ICallStore CreateStore() => new InMemoryCallStore();
}
