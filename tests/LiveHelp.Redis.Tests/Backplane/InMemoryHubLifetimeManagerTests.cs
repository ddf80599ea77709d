using LiveHelp.Redis.Tests.Backplane.Support;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging.Abstractions;

namespace LiveHelp.Redis.Tests.Backplane;

/// <summary>The shared behaviour on ASP.NET Core's in-memory manager: one node, so A and B are the same.</summary>
public sealed class InMemoryHubLifetimeManagerTests : HubLifetimeManagerBehaviour
{
    protected override Task<(HubLifetimeManager<TestHub> A, HubLifetimeManager<TestHub> B)> StartNodesAsync(IHubProtocolResolver protocols)
    {
        var node = new DefaultHubLifetimeManager<TestHub>(NullLogger<DefaultHubLifetimeManager<TestHub>>.Instance);
        return Task.FromResult<(HubLifetimeManager<TestHub>, HubLifetimeManager<TestHub>)>((node, node));
    }

    protected override Task StopNodesAsync() => Task.CompletedTask;
}
