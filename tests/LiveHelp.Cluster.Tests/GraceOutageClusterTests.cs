using System.Net.Http.Json;
using System.Text.Json;
using LiveHelp.Client;
using LiveHelp.Core;
using LiveHelp.Core.Contracts;

namespace LiveHelp.Cluster.Tests;

/// <summary>An agent's grace period that ends while PostgreSQL is stopped, with the routing state in Redis.</summary>
public sealed class GraceOutageClusterTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private Cluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await Cluster.StartAsync(settings: new Dictionary<string, string>
    {
        ["LiveHelp__Routing__AgentGracePeriod"] = "00:00:02",
    });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_grace_period_ending_while_PostgreSQL_is_down_still_sends_the_customer_to_the_next_agent_once_it_is_back()
    {
        await _cluster.CreateAgentAsync("ann", ["general"]);
        await _cluster.CreateAgentAsync("bob", ["general"]);
        var ann = await AgentClient.SignInAsync(_cluster.Nodes[1].Uri, "ann", "ann-password", Cluster.ClientOptions);
        await ann.SetStatusAsync(AgentStatus.Online);
        await using var bob = await AgentClient.SignInAsync(_cluster.Nodes[0].Uri, "bob", "bob-password", Cluster.ClientOptions);
        await bob.SetStatusAsync(AgentStatus.Away);
        await using var customer = await CustomerClient.ConnectAsync(_cluster.Nodes[0].Uri, options: Cluster.ClientOptions);
        var annOffered = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        ann.OfferReceived += (_, o) => annOffered.TrySetResult(o.ConversationId);
        var bobOffered = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        bob.OfferReceived += (_, o) => bobOffered.TrySetResult(o.ConversationId);
        var id = (await customer.RequestHelpAsync(new RequestHelpInput { Topic = "general" })).Conversation!.Id;
        await ann.AcceptOfferAsync(await annOffered.Task.WaitAsync(Patience));

        // Ann's console goes away; before her grace period ends, so does PostgreSQL, for longer than the grace period.
        await ann.DisposeAsync();
        await Cluster.WaitUntilAsync(async () => !await IsConnectedAsync("ann"));
        await _cluster.Postgres.StopAsync();
        await Task.Delay(TimeSpan.FromSeconds(4));
        await _cluster.Postgres.StartAgainAsync();

        await Cluster.WaitUntilAsync(async () =>
        {
            try
            {
                await bob.SetStatusAsync(AgentStatus.Online);
                return true;
            }
            catch (LiveHelpHubException e) when (e.Code == ErrorCodes.Unavailable)
            {
                return false;
            }
        });
        Assert.Equal(id, await bobOffered.Task.WaitAsync(Patience));
    }

    private async Task<bool> IsConnectedAsync(string username)
    {
        using var http = await _cluster.AdminAsync();
        return (await http.GetFromJsonAsync<List<JsonElement>>("/api/agents"))!
            .Single(a => a.GetProperty("username").GetString() == username).GetProperty("connected").GetBoolean();
    }
}
