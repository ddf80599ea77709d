using System.Diagnostics;
using System.Text;
using LiveHelp.Redis.Tests.Backplane.Support;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace LiveHelp.Redis.Tests.Backplane;

/// <summary>
/// The shared behaviour on the Redis backplane with two nodes on one real redis-server, plus what only a backplane
/// has: acknowledgements, channels and subscriptions in Redis, hostile input on the wire.
/// </summary>
public sealed class RedisHubLifetimeManagerTests(RedisServerFixture fixture) : HubLifetimeManagerBehaviour, IClassFixture<RedisServerFixture>
{
    private readonly string _prefix = $"lh{Guid.NewGuid():N}"[..14];
    private readonly List<RedisNode> _nodes = [];

    private RedisServer Server => fixture.Server;

    private string Channel(string kind) => $"{_prefix}:signalr:{typeof(TestHub).FullName}:{kind}";

    protected override async Task<(HubLifetimeManager<TestHub> A, HubLifetimeManager<TestHub> B)> StartNodesAsync(IHubProtocolResolver protocols)
    {
        var a = await StartNodeAsync(_prefix, protocols);
        var b = await StartNodeAsync(_prefix, protocols);
        return (a.Manager, b.Manager);
    }

    protected override Task StopNodesAsync()
    {
        foreach (var node in _nodes)
        {
            node.Dispose();
        }
        return Task.CompletedTask;
    }

    private async Task<RedisNode> StartNodeAsync(string prefix, IHubProtocolResolver protocols, TimeSpan? ackTimeout = null)
    {
        var node = await RedisNode.StartAsync(Server, prefix, protocols, ackTimeout);
        _nodes.Add(node);
        return node;
    }

    [Fact]
    public async Task A_send_to_a_connection_on_the_same_node_does_not_go_through_Redis()
    {
        var target = await ConnectAsync(A);
        await using var spy = await RawRedis.ConnectAsync(Server.Port);
        await spy.SubscribeAsync(Channel($"conn:{target.ConnectionId}"));

        await A.SendConnectionAsync(target.ConnectionId, "Message", ["local"]);
        await target.ReceiveAsync("local");
        Assert.Null(await spy.NextMessageAsync(TimeSpan.FromMilliseconds(300)));

        await B.SendConnectionAsync(target.ConnectionId, "Message", ["remote"]);
        await target.ReceiveAsync("remote");
        Assert.NotNull(await spy.NextMessageAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task A_group_change_that_no_node_acknowledges_fails_after_the_ack_timeout_with_a_clear_error()
    {
        var protocols = new SingleProtocolResolver(new JsonHubProtocol());
        var impatient = await StartNodeAsync(_prefix, protocols, TimeSpan.FromMilliseconds(300));
        // A node that holds the connection's channel but never answers (overloaded, or stuck).
        await using var silentNode = await RawRedis.ConnectAsync(Server.Port);
        await silentNode.SubscribeAsync(Channel("conn:ghost"));
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<TimeoutException>(() => impatient.Manager.AddToGroupAsync("ghost", "conv:9"));

        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(280), TimeSpan.FromSeconds(5));
        Assert.Contains("adding connection 'ghost' to group 'conv:9'", error.Message);
        Assert.Contains("300 ms", error.Message);
        Assert.Contains("AckTimeout", error.Message);
        var removal = await Assert.ThrowsAsync<TimeoutException>(() => impatient.Manager.RemoveFromGroupAsync("ghost", "conv:9"));
        Assert.Contains("removing connection 'ghost' from group 'conv:9'", removal.Message);
        Assert.True(impatient.Log.Logged("AckTimedOut"));
    }

    [Fact]
    public async Task Channels_are_literal_even_for_group_and_user_names_with_glob_characters()
    {
        var star = await ConnectAsync(A, "*");
        var aStar = await ConnectAsync(B, "a*");
        await A.AddToGroupAsync(star.ConnectionId, "*");
        await B.AddToGroupAsync(aStar.ConnectionId, "a*");
        await using var redis = await RawRedis.ConnectAsync(Server.Port);

        Assert.Equal(0, await redis.PatternSubscriptionsAsync());
        var channels = await redis.ChannelsAsync($"{_prefix}:*");
        Assert.Contains(Channel("group:*"), channels);
        Assert.Contains(Channel("group:a*"), channels);
        Assert.Contains(Channel("user:*"), channels);
        Assert.Contains(Channel("user:a*"), channels);

        // Were "a*" or "*" subscribed as patterns, a send to group "abc" would reach them.
        await B.SendGroupAsync("abc", "Message", ["not for a*"]);
        await aStar.AssertNothingAsync();
        await star.AssertNothingAsync();
    }

    [Fact]
    public async Task Group_and_user_channels_are_subscribed_once_per_node_and_released_when_the_last_connection_leaves()
    {
        await using var redis = await RawRedis.ConnectAsync(Server.Port);
        var group = Channel("group:conv:10");
        var user = Channel("user:alice");
        var firstOnA = await ConnectAsync(A, "alice");
        var secondOnA = await ConnectAsync(A, "alice");
        var onB = await ConnectAsync(B, "alice");
        await A.AddToGroupAsync(firstOnA.ConnectionId, "conv:10");
        await B.AddToGroupAsync(secondOnA.ConnectionId, "conv:10");
        await B.AddToGroupAsync(onB.ConnectionId, "conv:10");

        Assert.Equal(2, await redis.SubscribersAsync(group));
        Assert.Equal(2, await redis.SubscribersAsync(user));

        await B.RemoveFromGroupAsync(firstOnA.ConnectionId, "conv:10");
        Assert.Equal(2, await redis.SubscribersAsync(group));

        await DisconnectAsync(A, secondOnA);
        Assert.Equal(1, await redis.SubscribersAsync(group));
        Assert.Equal(2, await redis.SubscribersAsync(user));
        Assert.Equal(0, await redis.SubscribersAsync(Channel($"conn:{secondOnA.ConnectionId}")));

        await DisconnectAsync(A, firstOnA);
        await DisconnectAsync(B, onB);
        Assert.Equal(0, await redis.SubscribersAsync(group));
        Assert.Equal(0, await redis.SubscribersAsync(user));

        // What stays is each node's own: the "all" channel and its ack channel.
        var left = await redis.ChannelsAsync($"{_prefix}:*");
        Assert.Equal([Channel("all")], left.Where(c => !c.Contains(":node:")).ToArray());
        Assert.Equal(2, left.Count(c => c.Contains(":node:")));
        Assert.Equal(2, await redis.SubscribersAsync(Channel("all")));
    }

    [Fact]
    public async Task A_connection_whose_write_throws_does_not_stop_the_others_and_the_send_succeeds()
    {
        var throwingOnA = await ConnectAsync(A, behaviour: WriteBehaviour.Throws);
        var throwingOnB = await ConnectAsync(B, behaviour: WriteBehaviour.Throws);
        var healthyOnA = await ConnectAsync(A);
        var healthyOnB = await ConnectAsync(B);
        foreach (var (node, client) in new[] { (A, throwingOnA), (B, throwingOnB), (A, healthyOnA), (B, healthyOnB) })
        {
            await node.AddToGroupAsync(client.ConnectionId, "conv:11");
        }

        await B.SendGroupAsync("conv:11", "Message", ["group"]);
        await B.SendAllAsync("Message", ["all"]);

        await healthyOnA.ReceiveAsync("group");
        await healthyOnA.ReceiveAsync("all");
        await healthyOnB.ReceiveAsync("group");
        await healthyOnB.ReceiveAsync("all");
        await EventuallyAsync(() => throwingOnA.Attempts == 2 && throwingOnB.Attempts == 2, "each throwing connection was tried twice");
        Assert.True(_nodes[0].Log.Logged("WriteFailed"));
    }

    [Fact]
    public async Task An_unreadable_message_on_a_backplane_channel_is_dropped_and_delivery_goes_on()
    {
        var onA = await ConnectAsync(A);
        var onB = await ConnectAsync(B);
        await using var intruder = await RawRedis.ConnectAsync(Server.Port);

        Assert.Equal(2, await intruder.PublishAsync(Channel("all"), Encoding.UTF8.GetBytes("not a backplane message")));
        Assert.Equal(2, await intruder.PublishAsync(Channel("all"), [1, 1, 0, 0]));
        await B.SendAllAsync("Message", ["after the noise"]);

        await onA.ReceiveAsync("after the noise");
        await onB.ReceiveAsync("after the noise");
        Assert.True(_nodes[0].Log.Logged("UnreadableMessage"));
    }

    [Fact]
    public async Task Installations_with_different_prefixes_share_a_Redis_without_hearing_each_other()
    {
        var other = await StartNodeAsync($"{_prefix}x", new SingleProtocolResolver(Protocol));
        var ours = await ConnectAsync(A, "alice");
        var theirs = new TestClient(Protocol, "alice");
        await using var _ = theirs;
        await other.Manager.OnConnectedAsync(theirs.Connection);

        await B.SendAllAsync("Message", ["ours"]);
        await B.SendUserAsync("alice", "Message", ["our alice"]);

        await ours.ReceiveAsync("ours");
        await ours.ReceiveAsync("our alice");
        await theirs.AssertNothingAsync();
        await other.Manager.OnDisconnectedAsync(theirs.Connection);
    }

    [Fact]
    public async Task Client_results_are_refused_plainly()
    {
        var onA = await ConnectAsync(A);

        await Assert.ThrowsAsync<NotSupportedException>(() => A.InvokeConnectionAsync<int>(onA.ConnectionId, "Ask", [], CancellationToken.None));
        Assert.False(A.TryGetReturnType("1", out _));
    }
}
