using System.Text;
using LiveHelp.Redis.Tests.Backplane.Support;
using Microsoft.AspNetCore.SignalR;

namespace LiveHelp.Redis.Tests.Backplane;

/// <summary>
/// The shared behaviour on the official Redis backplane, wired as the server wires it, with two nodes on one real
/// redis-server, plus what only a backplane has: channels and subscriptions in Redis, key prefixes, hostile input on
/// the wire.
/// </summary>
public sealed class RedisHubLifetimeManagerTests(RedisServerFixture fixture) : HubLifetimeManagerBehaviour, IClassFixture<RedisServerFixture>
{
    private readonly string _prefix = $"lh{Guid.NewGuid():N}"[..14];
    private readonly List<RedisNode> _nodes = [];

    private RedisServer Server => fixture.Server;

    private string Channel(string kind) => $"{_prefix}:{typeof(TestHub).FullName}:{kind}";

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

    private async Task<RedisNode> StartNodeAsync(string prefix, IHubProtocolResolver protocols)
    {
        var node = await RedisNode.StartAsync(Server, prefix, protocols);
        _nodes.Add(node);
        return node;
    }

    [Fact]
    public async Task A_send_to_a_connection_on_the_same_node_does_not_go_through_Redis()
    {
        var target = await ConnectAsync(A);
        await using var spy = await RawRedis.ConnectAsync(Server.Port);
        await spy.SubscribeAsync(Channel($"connection:{target.ConnectionId}"));

        await A.SendConnectionAsync(target.ConnectionId, "Message", ["local"]);
        await target.ReceiveAsync("local");
        Assert.Null(await spy.NextMessageAsync(TimeSpan.FromMilliseconds(300)));

        await B.SendConnectionAsync(target.ConnectionId, "Message", ["remote"]);
        await target.ReceiveAsync("remote");
        Assert.NotNull(await spy.NextMessageAsync(TimeSpan.FromSeconds(5)));
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
        Assert.Equal(0, await redis.SubscribersAsync(Channel($"connection:{secondOnA.ConnectionId}")));

        await DisconnectAsync(A, firstOnA);
        await DisconnectAsync(B, onB);
        Assert.Equal(0, await redis.SubscribersAsync(group));
        Assert.Equal(0, await redis.SubscribersAsync(user));

        // What stays is node-wide: the "all" channel and the backplane's internal ones (group commands, acks, results).
        var left = await redis.ChannelsAsync($"{_prefix}:*");
        Assert.Equal([Channel("all")], left.Where(c => c.StartsWith(Channel(""), StringComparison.Ordinal) && !c.Contains(":internal:")).ToArray());
        Assert.Equal(2, await redis.SubscribersAsync(Channel("all")));
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
        Assert.True(_nodes[0].Log.Logged("FailedWritingMessage"));
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
}
