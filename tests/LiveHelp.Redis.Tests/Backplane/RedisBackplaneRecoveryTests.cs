using LiveHelp.Redis.Tests.Backplane.Support;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace LiveHelp.Redis.Tests.Backplane;

/// <summary>Redis going away and coming back, on a redis-server of this test's own (it gets killed).</summary>
public sealed class RedisBackplaneRecoveryTests : IAsyncLifetime
{
    private readonly CountingHubProtocol _protocol = new();
    private readonly List<TestClient> _clients = [];
    private RedisServer _server = null!;
    private RedisNode _a = null!;
    private RedisNode _b = null!;

    public async Task InitializeAsync()
    {
        _server = await RedisServer.StartAsync();
        _a = await RedisNode.StartAsync(_server, "recovery", new SingleProtocolResolver(_protocol));
        _b = await RedisNode.StartAsync(_server, "recovery", new SingleProtocolResolver(_protocol));
    }

    public async Task DisposeAsync()
    {
        _a.Dispose();
        _b.Dispose();
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Losing_Redis_turns_health_false_and_everything_works_again_by_itself_when_it_returns()
    {
        var agent = await ConnectAsync(_a, "agent");
        var customer = await ConnectAsync(_b, "customer");
        await _b.Manager.AddToGroupAsync(agent.ConnectionId, "conv:1");
        await _b.Manager.AddToGroupAsync(customer.ConnectionId, "conv:1");
        Assert.Equal(HealthStatus.Healthy, await HealthAsync(_a));
        Assert.Equal(HealthStatus.Healthy, await HealthAsync(_b));

        _server.Kill();

        await WaitForHealthAsync(_a, HealthStatus.Unhealthy);
        await WaitForHealthAsync(_b, HealthStatus.Unhealthy);
        await LoggedAsync(_a, "ConnectionFailed");
        // During the outage a send through Redis fails at once (what matters is stored, and clients resync when Redis
        // is back); a send to a connection of the sending node needs no Redis and still arrives.
        await Assert.ThrowsAsync<RedisConnectionException>(() => _b.Manager.SendConnectionAsync(agent.ConnectionId, "Message", ["lost"]));
        await Assert.ThrowsAsync<RedisConnectionException>(() => _b.Manager.SendGroupAsync("conv:1", "Message", ["outage"]));
        await _a.Manager.SendConnectionAsync(agent.ConnectionId, "Message", ["local"]);
        await agent.ReceiveAsync("local");

        await _server.RestartAsync();

        await WaitForHealthAsync(_a, HealthStatus.Healthy);
        await WaitForHealthAsync(_b, HealthStatus.Healthy);
        await LoggedAsync(_a, "ConnectionRestored");
        await _b.Manager.SendGroupAsync("conv:1", "Message", ["group after"]);
        await agent.ReceiveAsync("group after");
        await customer.ReceiveAsync("group after");
        await _b.Manager.SendUserAsync("agent", "Message", ["user after"]);
        await agent.ReceiveAsync("user after");
        await _b.Manager.SendConnectionAsync(agent.ConnectionId, "Message", ["connection after"]);
        await agent.ReceiveAsync("connection after");
        await _a.Manager.SendAllAsync("Message", ["all after"]);
        await agent.ReceiveAsync("all after");
        await customer.ReceiveAsync("all after");
        await _b.Manager.AddToGroupAsync(agent.ConnectionId, "conv:2");
        await _b.Manager.SendGroupAsync("conv:2", "Message", ["joined after"]);
        await agent.ReceiveAsync("joined after");
        await agent.AssertNothingAsync();
        await customer.AssertNothingAsync();
    }

    [Fact]
    public async Task A_node_started_while_Redis_is_away_hears_every_channel_once_Redis_is_back()
    {
        _server.Kill();
        await WaitForHealthAsync(_b, HealthStatus.Unhealthy);
        using var late = await RedisNode.StartAsync(_server, "recovery", new SingleProtocolResolver(_protocol));

        // Meanwhile hub connections are refused (their clients retry): the backplane cannot subscribe for them.
        await Assert.ThrowsAsync<RedisConnectionException>(() => ConnectAsync(late, "early"));
        await _server.RestartAsync();
        await WaitForHealthAsync(late, HealthStatus.Healthy);
        await WaitForHealthAsync(_b, HealthStatus.Healthy);

        var client = await ConnectAsync(late, "late");
        await _b.Manager.AddToGroupAsync(client.ConnectionId, "conv:3");
        await _b.Manager.SendGroupAsync("conv:3", "Message", ["group"]);
        await _b.Manager.SendAllAsync("Message", ["all"]);
        await _b.Manager.SendUserAsync("late", "Message", ["user"]);

        // Three channels: each keeps its own order, nothing orders one against another.
        string[] received = [(await client.ReceiveAsync()).Text, (await client.ReceiveAsync()).Text, (await client.ReceiveAsync()).Text];
        Assert.Equal(["all", "group", "user"], received.Order());
        await late.Manager.OnDisconnectedAsync(client.Connection);
    }

    [Fact]
    public async Task When_Redis_is_back_every_client_on_every_node_is_told_to_resync()
    {
        var agent = await ConnectAsync(_a, "agent");
        var customer = await ConnectAsync(_b, "customer");
        // As on a server: every node runs it, and each tells all clients once its own pub/sub delivers again.
        var resyncs = new[] { _a.ResyncAfterOutage(), _b.ResyncAfterOutage() };
        foreach (var resync in resyncs)
        {
            await resync.StartAsync(CancellationToken.None);
        }

        _server.Kill();
        await WaitForHealthAsync(_a, HealthStatus.Unhealthy);
        await agent.AssertNothingAsync();
        await _server.RestartAsync();

        Assert.Equal(nameof(Core.Contracts.IHelpClient.resync), (await agent.ReceiveAsync(TimeSpan.FromSeconds(30))).Target);
        Assert.Equal(nameof(Core.Contracts.IHelpClient.resync), (await customer.ReceiveAsync(TimeSpan.FromSeconds(30))).Target);
        foreach (var resync in resyncs)
        {
            await resync.StopAsync(CancellationToken.None);
        }
    }

    private async Task<TestClient> ConnectAsync(RedisNode node, string userId)
    {
        var client = new TestClient(_protocol, userId);
        _clients.Add(client);
        await node.Manager.OnConnectedAsync(client.Connection);
        return client;
    }

    private static async Task<HealthStatus> HealthAsync(RedisNode node)
    {
        var check = node.Health;
        var context = new HealthCheckContext { Registration = new HealthCheckRegistration("redis", check, HealthStatus.Unhealthy, null) };
        return (await check.CheckHealthAsync(context)).Status;
    }

    private static async Task LoggedAsync(RedisNode node, string eventName)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!node.Log.Logged(eventName))
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"{eventName} was not logged.");
            }
            await Task.Delay(50);
        }
    }

    private static async Task WaitForHealthAsync(RedisNode node, HealthStatus expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        HealthStatus status;
        while ((status = await HealthAsync(node)) != expected)
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Redis health stayed {status}, expected {expected}.");
            }
            await Task.Delay(100);
        }
    }
}
