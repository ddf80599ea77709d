using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LiveHelp.Client;
using LiveHelp.Core;

namespace LiveHelp.Cluster.Tests;

/// <summary>An admin working on one node disables an agent whose console is connected to the other.</summary>
public sealed class DisabledAgentClusterTests : IAsyncLifetime
{
    private Cluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await Cluster.StartAsync();

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Disabling_an_agent_on_one_node_closes_their_connection_on_the_other()
    {
        var annId = await _cluster.CreateAgentAsync("ann", ["general"]);
        await using var ann = await AgentClient.SignInAsync(_cluster.Nodes[1].Uri, "ann", "ann-password", Cluster.ClientOptions);
        await ann.SetStatusAsync(AgentStatus.Online);
        // Without negotiation the client keeps trying (and is refused) rather than closing: a drop is what it sees first.
        var dropped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ann.Reconnecting += (_, _) => dropped.TrySetResult();
        ann.Closed += (_, _) => dropped.TrySetResult();
        using var admin = await _cluster.AdminAsync(_cluster.Nodes[0].Uri);

        var disable = await admin.PutAsJsonAsync($"/api/agents/{annId}", new { disabled = true });

        Assert.Equal(HttpStatusCode.OK, disable.StatusCode);
        await dropped.Task.WaitAsync(TimeSpan.FromSeconds(20));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while ((await admin.GetFromJsonAsync<List<JsonElement>>("/api/agents"))!
            .Single(a => a.GetProperty("id").GetString() == annId).GetProperty("connected").GetBoolean())
        {
            Assert.True(DateTime.UtcNow < deadline, "the agent still shows as connected");
            await Task.Delay(100);
        }

        // And stays out: longer than a node's re-check and the client's reconnect delays, nobody let it back in.
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.False((await admin.GetFromJsonAsync<List<JsonElement>>("/api/agents"))!
            .Single(a => a.GetProperty("id").GetString() == annId).GetProperty("connected").GetBoolean(), "the disabled agent got back in");
        Assert.NotEqual(HubConnectionState.Connected, ann.State);
    }
}
