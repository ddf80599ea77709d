using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace LiveHelp.Redis.Tests.Backplane.Support;

/// <summary>One real redis-server shared by the tests of a class; each test uses its own key prefix.</summary>
public sealed class RedisServerFixture : IAsyncLifetime
{
    public RedisServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await RedisServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>A backplane node as a server process has it: its own Redis connection and its own manager.</summary>
public sealed class RedisNode : IDisposable
{
    private RedisNode(RedisConnection redis, RedisHubLifetimeManager<TestHub> manager, RecordingLogger<RedisHubLifetimeManager<TestHub>> log)
    {
        Redis = redis;
        Manager = manager;
        Log = log;
    }

    public RedisConnection Redis { get; }

    public RedisHubLifetimeManager<TestHub> Manager { get; }

    public RecordingLogger<RedisHubLifetimeManager<TestHub>> Log { get; }

    public RedisHealthCheck Health => new(Redis);

    public static async Task<RedisNode> StartAsync(RedisServer server, string prefix, IHubProtocolResolver protocols, TimeSpan? ackTimeout = null)
    {
        var options = new RedisOptions { Configuration = server.Configuration, Prefix = prefix, AckTimeout = ackTimeout ?? TimeSpan.FromSeconds(10) };
        var redis = await RedisConnection.ConnectAsync(options);
        var log = new RecordingLogger<RedisHubLifetimeManager<TestHub>>();
        return new RedisNode(redis, new RedisHubLifetimeManager<TestHub>(redis, Options.Create(options), protocols, log), log);
    }

    public void Dispose()
    {
        Manager.Dispose();
        Redis.Dispose();
    }
}
