using LiveHelp.Client;
using LiveHelp.Core;
using LiveHelp.Core.Contracts;
using LiveHelp.Core.Conversations;
using Microsoft.Extensions.DependencyInjection;

namespace LiveHelp.Server.Tests;

/// <summary>An agent disabled by an admin loses the connections they have open, and with them their customers.</summary>
public sealed class DisabledAgentTests : ServerTest
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["LiveHelp:Routing:AgentGracePeriod"] = "00:00:01",
    };

    [Fact]
    public async Task Disabling_an_agent_closes_their_connection_and_their_customer_goes_to_another_agent()
    {
        var ann = await AgentAsync("ann");
        var (customer, _, id) = await ConversationAsync(ann);
        var customerMessages = new Inbox<Message>(h => customer.MessageReceived += h);
        var closed = new Inbox<Exception?>(h => ann.Closed += h);
        var bob = await AgentAsync("bob");
        var offersToBob = new Inbox<OfferNotice>(h => bob.OfferReceived += h);

        await Host.DisableAgentAsync(ann.AgentId!);

        await closed.NextAsync();
        Assert.Equal(HubConnectionState.Disconnected, ann.State);
        await Assert.ThrowsAsync<InvalidOperationException>(() => ann.SendMessageAsync(id, "still here?"));
        await customerMessages.NextAsync(m => m.Kind == MessageKind.System && m.Text.Contains("lost their connection", StringComparison.Ordinal));
        await offersToBob.NextAsync(o => o.ConversationId == id);
        await bob.AcceptOfferAsync(id);
        var transcript = await customer.ResumeAsync(id, 0);
        Assert.DoesNotContain(transcript.Messages, m => m.Text == "still here?");
        Assert.Equal("Bob", transcript.Conversation.AgentName);
    }

    [Fact]
    public async Task Agent_disabled_on_another_node_is_closed_out_here_too()
    {
        var ann = await AgentAsync("ann");
        var (customer, _, id) = await ConversationAsync(ann);
        var closed = new Inbox<Exception?>(h => ann.Closed += h);
        var customerMessages = new Inbox<Message>(h => customer.MessageReceived += h);

        await DisableInStoreAsync(Host, ann.AgentId!);

        await closed.NextAsync();
        await customerMessages.NextAsync(m => m.Kind == MessageKind.System && m.Text.Contains("lost their connection", StringComparison.Ordinal));
        Assert.Equal(ConversationStatus.Queued, (await customer.ResumeAsync(id, 0)).Conversation.Status);
    }

    /// <summary>As an admin on another node would: only the shared store changes, this node is told nothing.</summary>
    internal static async Task DisableInStoreAsync(LiveHelpHost host, string agentId)
    {
        var store = host.Services.GetRequiredService<IConversationStore>();
        await store.UpdateAgentAsync((await store.FindAgentAsync(agentId))! with { Disabled = true });
    }
}

/// <summary>Until a node re-reads its staff accounts, every call from a disabled account is refused there.</summary>
public sealed class DisabledAgentCallTests : ServerTest
{
    // The periodic re-read is kept out of the way, so only the check on each call is at work.
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["LiveHelp:StaffRecheckInterval"] = "01:00:00",
    };

    [Fact]
    public async Task Every_call_from_a_disabled_account_is_refused_forbidden()
    {
        var ann = await AgentAsync("ann");
        var (customer, _, id) = await ConversationAsync(ann);
        Assert.Equal(ErrorCodes.OfferGone, (await RefusedAsync(() => ann.DeclineOfferAsync("c_none"))).Code);

        await DisabledAgentTests.DisableInStoreAsync(Host, ann.AgentId!);

        // An account is re-read at least every second: until then the old answer stands.
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        LiveHelpHubException refused;
        do
        {
            await Task.Delay(100, patience.Token);
            refused = await RefusedAsync(() => ann.DeclineOfferAsync("c_none"));
        }
        while (refused.Code == ErrorCodes.OfferGone);
        Assert.Equal(ErrorCodes.Forbidden, refused.Code);
        foreach (var call in new Func<Task>[]
        {
            () => ann.SendMessageAsync(id, "still here?"),
            () => ann.AddNoteAsync(id, "a note"),
            () => ann.ResumeAsync(id, 0),
            () => ann.CloseAsync(id),
            () => ann.GetQueueAsync(),
        })
        {
            Assert.Equal(ErrorCodes.Forbidden, (await RefusedAsync(call)).Code);
        }
        var transcript = await customer.ResumeAsync(id, 0);
        Assert.Equal(ConversationStatus.Active, transcript.Conversation.Status);
        Assert.DoesNotContain(transcript.Messages, m => m.Text == "still here?");
    }
}
