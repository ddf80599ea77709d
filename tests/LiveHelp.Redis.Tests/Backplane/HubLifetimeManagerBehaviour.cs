using System.Diagnostics;
using LiveHelp.Redis.Tests.Backplane.Support;
using Microsoft.AspNetCore.SignalR;

namespace LiveHelp.Redis.Tests.Backplane;

/// <summary>
/// What every LiveHelp hub lifetime manager must do, written once. Each test talks to two nodes, A and B: the Redis
/// backplane runs two managers on one real redis-server, so a connection on A and a send from B crosses nodes; the
/// in-memory manager is one node, so A and B are the same manager and the same tests check it single-node.
/// </summary>
public abstract class HubLifetimeManagerBehaviour : IAsyncLifetime
{
    private readonly List<TestClient> _clients = [];
    private readonly List<(HubLifetimeManager<TestHub> Node, TestClient Client)> _connected = [];

    protected CountingHubProtocol Protocol { get; } = new();

    protected HubLifetimeManager<TestHub> A { get; private set; } = null!;

    protected HubLifetimeManager<TestHub> B { get; private set; } = null!;

    /// <summary>Two nodes serving <see cref="TestHub"/> with exactly <paramref name="protocols"/>.</summary>
    protected abstract Task<(HubLifetimeManager<TestHub> A, HubLifetimeManager<TestHub> B)> StartNodesAsync(IHubProtocolResolver protocols);

    protected abstract Task StopNodesAsync();

    public async Task InitializeAsync() => (A, B) = await StartNodesAsync(new SingleProtocolResolver(Protocol));

    public async Task DisposeAsync()
    {
        foreach (var (node, client) in _connected.ToArray())
        {
            await DisconnectAsync(node, client);
        }
        await StopNodesAsync();
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }
    }

    protected async Task<TestClient> ConnectAsync(HubLifetimeManager<TestHub> node, string? userId = null, WriteBehaviour behaviour = WriteBehaviour.Normal)
    {
        var client = new TestClient(Protocol, userId, behaviour);
        _clients.Add(client);
        await node.OnConnectedAsync(client.Connection);
        _connected.Add((node, client));
        return client;
    }

    /// <summary>The node sees the connection close; the client keeps reading, so a stray message would still show.</summary>
    protected async Task DisconnectAsync(HubLifetimeManager<TestHub> node, TestClient client)
    {
        if (_connected.Remove((node, client)))
        {
            await node.OnDisconnectedAsync(client.Connection);
        }
    }

    /// <summary>Polls a condition that another node's callback makes true a moment after the client saw the message.</summary>
    protected static async Task EventuallyAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(5));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting until {what}.");
            }
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task Send_to_all_reaches_every_connection_on_every_node_once()
    {
        var onA = await ConnectAsync(A);
        var onB = await ConnectAsync(B);

        await B.SendAllAsync("Hello", ["everyone"]);

        Assert.Equal("Hello", (await onA.ReceiveAsync("everyone")).Target);
        await onB.ReceiveAsync("everyone");
        await onA.AssertNothingAsync();
        await onB.AssertNothingAsync();
    }

    [Fact]
    public async Task Send_to_all_except_skips_the_excluded_connections_on_every_node()
    {
        var excludedOnA = await ConnectAsync(A);
        var includedOnA = await ConnectAsync(A);
        var excludedOnB = await ConnectAsync(B);
        var includedOnB = await ConnectAsync(B);

        await B.SendAllExceptAsync("Hello", ["most"], [excludedOnA.ConnectionId, excludedOnB.ConnectionId]);

        await includedOnA.ReceiveAsync("most");
        await includedOnB.ReceiveAsync("most");
        await excludedOnA.AssertNothingAsync();
        await excludedOnB.AssertNothingAsync();
    }

    [Fact]
    public async Task Send_to_a_connection_reaches_only_that_connection_from_any_node()
    {
        var target = await ConnectAsync(A);
        var bystander = await ConnectAsync(A);

        await B.SendConnectionAsync(target.ConnectionId, "Hello", ["from B"]);
        await A.SendConnectionAsync(target.ConnectionId, "Hello", ["from A"]);

        // Two senders: each one's messages keep their order, but nothing orders one node's against the other's.
        string[] received = [(await target.ReceiveAsync()).Text, (await target.ReceiveAsync()).Text];
        Assert.Equal(["from A", "from B"], received.Order());
        await target.AssertNothingAsync();
        await bystander.AssertNothingAsync();
    }

    [Fact]
    public async Task Send_to_connections_reaches_each_listed_connection_wherever_it_is()
    {
        var onA = await ConnectAsync(A);
        var onB = await ConnectAsync(B);
        var notListed = await ConnectAsync(A);

        await A.SendConnectionsAsync([onA.ConnectionId, onB.ConnectionId, "nobody"], "Hello", ["listed"]);

        await onA.ReceiveAsync("listed");
        await onB.ReceiveAsync("listed");
        await notListed.AssertNothingAsync();
        await onA.AssertNothingAsync();
    }

    [Fact]
    public async Task Send_to_a_connection_no_node_holds_does_nothing()
    {
        var someone = await ConnectAsync(A);

        await B.SendConnectionAsync("nobody", "Hello", ["lost"]);
        await B.SendConnectionsAsync(["nobody", "no-one"], "Hello", ["lost"]);

        await someone.AssertNothingAsync();
    }

    [Fact]
    public async Task Send_to_a_user_reaches_all_of_the_users_connections_on_every_node()
    {
        var aliceOnA = await ConnectAsync(A, "alice");
        var aliceOnB = await ConnectAsync(B, "alice");
        var bob = await ConnectAsync(A, "bob");

        await B.SendUserAsync("alice", "Hello", ["alice"]);

        await aliceOnA.ReceiveAsync("alice");
        await aliceOnB.ReceiveAsync("alice");
        await bob.AssertNothingAsync();
        await aliceOnA.AssertNothingAsync();
        await aliceOnB.AssertNothingAsync();
    }

    [Fact]
    public async Task Send_to_users_reaches_each_listed_user()
    {
        var alice = await ConnectAsync(A, "alice");
        var bob = await ConnectAsync(B, "bob");
        var carol = await ConnectAsync(A, "carol");

        await A.SendUsersAsync(["alice", "bob"], "Hello", ["users"]);

        await alice.ReceiveAsync("users");
        await bob.ReceiveAsync("users");
        await carol.AssertNothingAsync();
    }

    [Fact]
    public async Task A_user_keeps_receiving_on_the_connections_left_after_one_disconnects()
    {
        var first = await ConnectAsync(A, "alice");
        var second = await ConnectAsync(A, "alice");

        await DisconnectAsync(A, first);
        await B.SendUserAsync("alice", "Hello", ["still here"]);

        await second.ReceiveAsync("still here");
    }

    [Fact]
    public async Task Send_to_a_group_reaches_its_members_on_every_node_and_nobody_else()
    {
        var memberOnA = await ConnectAsync(A);
        var memberOnB = await ConnectAsync(B);
        var outsider = await ConnectAsync(A);
        await A.AddToGroupAsync(memberOnA.ConnectionId, "conv:1");
        await B.AddToGroupAsync(memberOnB.ConnectionId, "conv:1");

        await B.SendGroupAsync("conv:1", "Message", ["hi"]);

        await memberOnA.ReceiveAsync("hi");
        await memberOnB.ReceiveAsync("hi");
        await outsider.AssertNothingAsync();
        await memberOnA.AssertNothingAsync();
        await memberOnB.AssertNothingAsync();
    }

    [Fact]
    public async Task Send_to_a_group_except_skips_the_excluded_members()
    {
        var sender = await ConnectAsync(A);
        var otherOnA = await ConnectAsync(A);
        var otherOnB = await ConnectAsync(B);
        foreach (var (node, client) in new[] { (A, sender), (A, otherOnA), (B, otherOnB) })
        {
            await node.AddToGroupAsync(client.ConnectionId, "conv:1");
        }

        await B.SendGroupExceptAsync("conv:1", "Message", ["not to the sender"], [sender.ConnectionId]);

        await otherOnA.ReceiveAsync("not to the sender");
        await otherOnB.ReceiveAsync("not to the sender");
        await sender.AssertNothingAsync();
    }

    [Fact]
    public async Task Send_to_groups_reaches_the_members_of_each_group()
    {
        var first = await ConnectAsync(A);
        var second = await ConnectAsync(B);
        var third = await ConnectAsync(A);
        await A.AddToGroupAsync(first.ConnectionId, "one");
        await B.AddToGroupAsync(second.ConnectionId, "two");
        await A.AddToGroupAsync(third.ConnectionId, "three");

        await B.SendGroupsAsync(["one", "two", "empty"], "Message", ["groups"]);

        await first.ReceiveAsync("groups");
        await second.ReceiveAsync("groups");
        await third.AssertNothingAsync();
    }

    [Fact]
    public async Task A_connection_is_added_to_a_group_from_another_node_and_receives_right_after()
    {
        var onA = await ConnectAsync(A);

        await B.AddToGroupAsync(onA.ConnectionId, "conv:2");
        await B.SendGroupAsync("conv:2", "Message", ["joined"]);

        await onA.ReceiveAsync("joined");
    }

    [Fact]
    public async Task A_connection_is_removed_from_a_group_from_another_node_and_receives_nothing_after()
    {
        var onA = await ConnectAsync(A);
        var stays = await ConnectAsync(B);
        await A.AddToGroupAsync(onA.ConnectionId, "conv:3");
        await B.AddToGroupAsync(stays.ConnectionId, "conv:3");

        await B.RemoveFromGroupAsync(onA.ConnectionId, "conv:3");
        await B.SendGroupAsync("conv:3", "Message", ["after"]);
        await A.SendGroupAsync("conv:3", "Message", ["after, from A"]);

        await stays.ReceiveAsync("after");
        await stays.ReceiveAsync("after, from A");
        await onA.AssertNothingAsync();
    }

    [Fact]
    public async Task Adding_a_connection_to_a_group_it_is_in_already_changes_nothing()
    {
        var onA = await ConnectAsync(A);
        await A.AddToGroupAsync(onA.ConnectionId, "conv:4");

        await A.AddToGroupAsync(onA.ConnectionId, "conv:4");
        await B.AddToGroupAsync(onA.ConnectionId, "conv:4");
        await B.SendGroupAsync("conv:4", "Message", ["once"]);

        await onA.ReceiveAsync("once");
        await onA.AssertNothingAsync();
    }

    [Fact]
    public async Task Removing_a_connection_from_a_group_it_is_not_in_returns_at_once_and_changes_nothing()
    {
        var onA = await ConnectAsync(A);
        await A.AddToGroupAsync(onA.ConnectionId, "member");
        var clock = Stopwatch.StartNew();

        await B.RemoveFromGroupAsync(onA.ConnectionId, "not-a-member");
        await A.RemoveFromGroupAsync(onA.ConnectionId, "not-a-member");

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed}");
        await B.SendGroupAsync("member", "Message", ["still a member"]);
        await onA.ReceiveAsync("still a member");
    }

    [Fact]
    public async Task A_disconnected_connection_is_out_of_its_groups_and_user()
    {
        var leaving = await ConnectAsync(A, "alice");
        var staying = await ConnectAsync(B);
        await A.AddToGroupAsync(leaving.ConnectionId, "conv:6");
        await B.AddToGroupAsync(staying.ConnectionId, "conv:6");

        await DisconnectAsync(A, leaving);
        await B.SendGroupAsync("conv:6", "Message", ["after leaving"]);
        await A.SendGroupAsync("conv:6", "Message", ["after leaving, from A"]);
        await B.SendUserAsync("alice", "Message", ["to alice"]);
        await B.SendConnectionAsync(leaving.ConnectionId, "Message", ["to the connection"]);

        await staying.ReceiveAsync("after leaving");
        await staying.ReceiveAsync("after leaving, from A");
        await leaving.AssertNothingAsync();
    }

    [Fact]
    public async Task Group_and_user_names_with_glob_characters_are_names_not_patterns()
    {
        var star = await ConnectAsync(A, "*");
        var aStar = await ConnectAsync(A, "a*");
        var abc = await ConnectAsync(A, "abc");
        await A.AddToGroupAsync(star.ConnectionId, "*");
        await A.AddToGroupAsync(aStar.ConnectionId, "a*");
        await A.AddToGroupAsync(abc.ConnectionId, "abc");

        await B.SendGroupAsync("abc", "Message", ["group abc"]);
        await B.SendGroupAsync("a*", "Message", ["group a*"]);
        await B.SendGroupAsync("*", "Message", ["group *"]);
        await B.SendUserAsync("abc", "Message", ["user abc"]);
        await B.SendUserAsync("*", "Message", ["user *"]);

        await abc.ReceiveAsync("group abc");
        await abc.ReceiveAsync("user abc");
        await aStar.ReceiveAsync("group a*");
        await star.ReceiveAsync("group *");
        await star.ReceiveAsync("user *");
        await abc.AssertNothingAsync();
        await aStar.AssertNothingAsync();
        await star.AssertNothingAsync();
    }

    [Fact]
    public async Task A_connection_whose_writes_fail_does_not_stop_the_rest_of_the_group()
    {
        var failingOnA = await ConnectAsync(A, behaviour: WriteBehaviour.Faults);
        var failingOnB = await ConnectAsync(B, behaviour: WriteBehaviour.Faults);
        var healthyOnA = await ConnectAsync(A);
        var healthyOnB = await ConnectAsync(B);
        foreach (var (node, client) in new[] { (A, failingOnA), (B, failingOnB), (A, healthyOnA), (B, healthyOnB) })
        {
            await node.AddToGroupAsync(client.ConnectionId, "conv:7");
        }

        // Whether the sender hears about a local failure differs (the in-memory manager rethrows it); the others
        // getting the message does not.
        await Record.ExceptionAsync(() => B.SendGroupAsync("conv:7", "Message", ["to the group"]));

        await healthyOnA.ReceiveAsync("to the group");
        await healthyOnB.ReceiveAsync("to the group");
        await EventuallyAsync(() => failingOnA.Attempts == 1 && failingOnB.Attempts == 1, "each failing connection was tried once");
    }

    [Fact]
    public async Task A_client_that_went_away_does_not_stop_the_others()
    {
        var gone = await ConnectAsync(A);
        var here = await ConnectAsync(A);
        var there = await ConnectAsync(B);
        await gone.GoAwayAsync();

        await B.SendAllAsync("Message", ["to all"]);

        await here.ReceiveAsync("to all");
        await there.ReceiveAsync("to all");
    }

    [Fact]
    public async Task Messages_to_one_connection_arrive_in_the_order_they_were_sent()
    {
        var target = await ConnectAsync(A);
        await A.AddToGroupAsync(target.ConnectionId, "ordered");

        for (var i = 0; i < 50; i++)
        {
            await B.SendGroupAsync("ordered", "Message", [$"{i}"]);
        }

        for (var i = 0; i < 50; i++)
        {
            await target.ReceiveAsync($"{i}");
        }
    }

    [Fact]
    public async Task A_send_is_serialized_once_whatever_the_number_of_receivers_and_nodes()
    {
        var clients = new List<TestClient>();
        foreach (var node in new[] { A, A, B, B })
        {
            var client = await ConnectAsync(node, "alice");
            await node.AddToGroupAsync(client.ConnectionId, "conv:8");
            clients.Add(client);
        }

        await AssertSerializedOnceAsync(() => B.SendGroupAsync("conv:8", "Message", ["group"]), clients, "group");
        await AssertSerializedOnceAsync(() => A.SendAllAsync("Message", ["all"]), clients, "all");
        await AssertSerializedOnceAsync(() => B.SendUserAsync("alice", "Message", ["user"]), clients, "user");
        await AssertSerializedOnceAsync(() => A.SendConnectionsAsync([.. clients.Select(c => c.ConnectionId)], "Message", ["listed"]), clients, "listed");
    }

    private async Task AssertSerializedOnceAsync(Func<Task> send, IReadOnlyList<TestClient> receivers, string text)
    {
        var before = Protocol.Serializations;

        await send();
        foreach (var receiver in receivers)
        {
            await receiver.ReceiveAsync(text);
        }

        Assert.Equal(1, Protocol.Serializations - before);
    }
}
