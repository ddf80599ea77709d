using LiveHelp.Core;
using LiveHelp.Core.Routing;

namespace LiveHelp.Persistence.Tests.Routing;

/// <summary>
/// Agents' connections are counted per node: a node that stops beating is reaped by another, which takes its
/// connections away so the grace periods start; a node that was only slow puts its connections back.
/// </summary>
public abstract class NodeLivenessBehaviour : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 6, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(10);

    protected abstract RoutingDatabase Database { get; }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await Database.DisposeAsync();

    private async Task<(SqlRoutingStore A, SqlRoutingStore B)> TwoNodesWithAgentOnAAsync()
    {
        var a = await Database.OpenAsync("a");
        var b = await Database.OpenAsync("b");
        await a.HeartbeatAsync(T0);
        await b.HeartbeatAsync(T0);
        await a.UpsertProfileAsync(new AgentProfile("ann", "Ann", ["billing"], 2, false));
        await a.SetStatusAsync("ann", AgentStatus.Online);
        await a.ConnectAsync("ann");
        await a.AttachAsync("c1", "ann", T0);
        return (a, b);
    }

    [Fact]
    public async Task A_silent_node_is_reaped_once_and_its_agents_grace_period_starts_then()
    {
        var (_, b) = await TwoNodesWithAgentOnAAsync();
        var c = await Database.OpenAsync("c");
        await b.HeartbeatAsync(T0 + Ttl);

        Assert.Empty(await b.ReapDeadNodesAsync(T0 + Ttl - TimeSpan.FromSeconds(1), Ttl));
        Assert.Equal(1, (await b.FindSeatAsync("ann"))!.Connections);

        var dead = Assert.Single(await b.ReapDeadNodesAsync(T0 + Ttl, Ttl));
        Assert.Equal("a", dead.NodeId);
        Assert.Equal(["ann"], dead.AgentIds);
        Assert.Empty(await c.ReapDeadNodesAsync(T0 + Ttl, Ttl));

        var seat = (await b.FindSeatAsync("ann"))!;
        Assert.Equal(0, seat.Connections);
        Assert.Equal(T0 + Ttl, seat.DisconnectedAt);
        Assert.Contains("c1", seat.Conversations);
    }

    [Fact]
    public async Task A_node_reaped_while_it_was_only_slow_puts_its_connections_back_at_its_next_beat()
    {
        var (a, b) = await TwoNodesWithAgentOnAAsync();
        await b.ReapDeadNodesAsync(T0 + Ttl, Ttl);

        await a.HeartbeatAsync(T0 + Ttl + TimeSpan.FromSeconds(1));

        var seat = (await b.FindSeatAsync("ann"))!;
        Assert.Equal(1, seat.Connections);
        Assert.Null(seat.DisconnectedAt);
        Assert.Empty(await b.ReapDeadNodesAsync(T0 + Ttl + TimeSpan.FromSeconds(2), Ttl));
    }

    [Fact]
    public async Task A_node_that_leaves_is_reaped_at_the_next_look_and_a_disconnect_after_that_changes_nothing()
    {
        var (a, b) = await TwoNodesWithAgentOnAAsync();

        await a.LeaveAsync();
        Assert.Single(await b.ReapDeadNodesAsync(T0 + TimeSpan.FromSeconds(1), Ttl));
        await a.DisconnectAsync("ann", T0 + TimeSpan.FromSeconds(5));

        var seat = (await b.FindSeatAsync("ann"))!;
        Assert.Equal(0, seat.Connections);
        Assert.Equal(T0 + TimeSpan.FromSeconds(1), seat.DisconnectedAt);
    }

    [Fact]
    public async Task Connections_on_two_nodes_add_up_and_losing_one_node_keeps_the_agent_connected()
    {
        var (_, b) = await TwoNodesWithAgentOnAAsync();
        await b.ConnectAsync("ann");
        await b.HeartbeatAsync(T0 + Ttl);

        Assert.Equal(2, (await b.FindSeatAsync("ann"))!.Connections);
        Assert.Single(await b.ReapDeadNodesAsync(T0 + Ttl, Ttl));

        var seat = (await b.FindSeatAsync("ann"))!;
        Assert.Equal(1, seat.Connections);
        Assert.Null(seat.DisconnectedAt);
        Assert.True(seat.IsAvailable);
    }
}

public sealed class SqliteNodeLivenessTests : NodeLivenessBehaviour
{
    protected override RoutingDatabase Database { get; } = new SqliteRoutingDatabase();
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresNodeLivenessTests(PostgresFixture postgres) : NodeLivenessBehaviour
{
    protected override RoutingDatabase Database { get; } = new PostgresRoutingDatabase(postgres);
}
