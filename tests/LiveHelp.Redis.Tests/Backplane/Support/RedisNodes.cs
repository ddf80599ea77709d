using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LiveHelp.Redis.Tests.Backplane.Support;

/// <summary>One real redis-server shared by the tests of a class; each test uses its own key prefix.</summary>
public sealed class RedisServerFixture : IAsyncLifetime
{
    public RedisServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await RedisServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>
/// A backplane node as a server process has it: its own shared Redis connection and the official manager, wired by
/// <see cref="RedisBackplaneExtensions.AddLiveHelpRedis"/> exactly as the server wires them.
/// </summary>
public sealed class RedisNode : IDisposable
{
    private readonly ServiceProvider _services;

    private RedisNode(ServiceProvider services, RecordingLogger<RedisHubLifetimeManager<TestHub>> log)
    {
        _services = services;
        Log = log;
    }

    public RedisConnection Redis => _services.GetRequiredService<RedisConnection>();

    public HubLifetimeManager<TestHub> Manager => _services.GetRequiredService<HubLifetimeManager<TestHub>>();

    /// <summary>What the official manager logs.</summary>
    public RecordingLogger<RedisHubLifetimeManager<TestHub>> Log { get; }

    public RedisHealthCheck Health => new(Redis);

    /// <summary>The node's resync layer, not started.</summary>
    public ResyncAfterOutage<TestHub> ResyncAfterOutage() => ActivatorUtilities.CreateInstance<ResyncAfterOutage<TestHub>>(_services);

    public static Task<RedisNode> StartAsync(RedisServer server, string prefix, IHubProtocolResolver protocols)
    {
        var log = new RecordingLogger<RedisHubLifetimeManager<TestHub>>();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSignalR().AddLiveHelpRedis(o =>
        {
            o.Configuration = server.Configuration;
            o.Prefix = prefix;
        });
        services.AddSingleton(protocols);
        services.AddSingleton<ILogger<RedisHubLifetimeManager<TestHub>>>(log);
        var node = new RedisNode(services.BuildServiceProvider(), log);
        _ = node.Manager;
        return Task.FromResult(node);
    }

    public void Dispose() => _services.Dispose();
}
