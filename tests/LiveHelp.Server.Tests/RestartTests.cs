using System.Net.Http.Json;
using LiveHelp.Client;
using LiveHelp.Core;
using LiveHelp.Core.Contracts;
using LiveHelp.Core.Conversations;

namespace LiveHelp.Server.Tests;

public sealed class RestartTests : ServerTest
{
    private readonly ManualClock _time = new(DateTimeOffset.UtcNow);

    protected override TimeProvider? Clock => _time;

    // Clients dropped at shutdown reconnect at once to the stopping node, which then waits the whole shutdown timeout for them.
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["shutdownTimeoutSeconds"] = "2",
    };

    [Fact]
    public async Task After_a_restart_agents_still_sign_in_and_transcripts_and_offline_messages_are_all_there()
    {
        var ann = await AgentAsync("ann");
        var (customer, _, id) = await ConversationAsync(ann);
        await customer.SendMessageAsync(id, "Where is my parcel?");
        await ann.SendMessageAsync(id, "It ships tomorrow.");
        await customer.CloseAsync(id);
        await customer.RateAsync(id, 4, "Fine");
        var someone = await CustomerAsync();
        await someone.LeaveMessageAsync(new OfflineMessageInput { Text = "Please call me back", Name = "Dana" });
        var before = await TranscriptAsync(ann.Token!, id);

        await Host.RestartAsync();

        var again = await SignInAsync("ann");
        var after = await TranscriptAsync(again.Token!, id);
        Assert.Equal(Lines(before.Messages), Lines(after.Messages));
        Assert.Contains(after.Messages, m => m.Text == "It ships tomorrow.");
        Assert.Equal(ConversationStatus.Closed, after.Conversation.Status);
        Assert.Equal(4, after.Conversation.Rating);
        using var http = Host.Http(again.Token);
        var offline = await http.GetFromJsonAsync<List<OfflineMessage>>("/api/offline-messages", Json.Options);
        var left = Assert.Single(offline!);
        Assert.Equal("Please call me back", left.Text);
        Assert.Equal("Dana", left.Name);
        Assert.NotEmpty(await Host.SignInAsync("admin", LiveHelpHost.AdminPassword));
    }

    [Fact]
    public async Task An_open_conversation_survives_a_restart_and_both_sides_carry_on_once_reconnected()
    {
        var ann = await AgentAsync("ann");
        var (customer, _, id) = await ConversationAsync(ann);
        var annMessages = new Inbox<Message>(h => ann.MessageReceived += h);
        var customerMessages = new Inbox<Message>(h => customer.MessageReceived += h);
        var before = await customer.SendMessageAsync(id, "Before the restart");
        await annMessages.NextAsync(m => m.Seq == before.Seq);

        await Host.RestartAsync();
        await BackOnlineAsync(ann);
        await BackOnlineAsync(customer);
        _time.Advance(TimeSpan.FromMinutes(2));

        await customerMessages.NoneAsync(m => m.Kind == MessageKind.System, TimeSpan.FromMilliseconds(500));
        var reply = await ann.SendMessageAsync(id, "Still here after the restart");
        Assert.True(reply.Seq > before.Seq);
        Assert.Equal(reply.Seq, (await customerMessages.NextAsync(m => m.Kind == MessageKind.Agent)).Seq);
        var answer = await customer.SendMessageAsync(id, "Great, thanks");
        Assert.Equal(answer.Seq, (await annMessages.NextAsync(m => m.Text == "Great, thanks")).Seq);
        var view = (await customer.ResumeAsync(id, 0)).Conversation;
        Assert.Equal(ConversationStatus.Active, view.Status);
        Assert.Equal(ann.AgentId, view.AgentId);
        Assert.Empty(await ann.GetQueueAsync());
    }

    [Fact]
    public async Task An_agent_who_was_online_before_a_restart_gets_new_customers_once_reconnected()
    {
        var ann = await AgentAsync("ann");
        var offers = new Inbox<OfferNotice>(h => ann.OfferReceived += h);
        var annStatus = new Inbox<StatusChanged>(h => ann.StatusChanged += h);

        await Host.RestartAsync();
        await BackOnlineAsync(ann);
        var customer = await CustomerAsync();
        var result = await customer.RequestHelpAsync(Help());

        Assert.Equal(RequestHelpStatus.Queued, result.Status);
        Assert.Equal(result.Conversation!.Id, (await offers.NextAsync()).ConversationId);
        Assert.DoesNotContain(annStatus.Seen, s => s.Status != AgentStatus.Online);
    }

    [Fact]
    public async Task Customers_waiting_before_a_restart_keep_their_places_and_are_offered_in_that_order()
    {
        await BusyBillingAgentAsync();
        var first = await CustomerAsync();
        var firstResult = await first.RequestHelpAsync(Help("billing", "Refund for order 7"));
        _time.Advance(TimeSpan.FromSeconds(1));
        var second = await CustomerAsync();
        var secondResult = await second.RequestHelpAsync(Help("billing", "Invoice missing"));
        Assert.Equal(1, firstResult.Place!.Position);
        Assert.Equal(2, secondResult.Place!.Position);
        var firstJoined = new Inbox<AgentJoined>(h => first.AgentJoined += h);

        await Host.RestartAsync();
        await BackOnlineAsync(first);
        await BackOnlineAsync(second);

        var firstAgain = await first.RequestHelpAsync(Help("billing", "Refund for order 7"));
        var secondAgain = await second.RequestHelpAsync(Help("billing", "Invoice missing"));
        Assert.Equal(RequestHelpStatus.Queued, firstAgain.Status);
        Assert.Equal(firstResult.Conversation!.Id, firstAgain.Conversation!.Id);
        Assert.Equal(1, firstAgain.Place?.Position);
        Assert.Equal(RequestHelpStatus.Queued, secondAgain.Status);
        Assert.Equal(secondResult.Conversation!.Id, secondAgain.Conversation!.Id);
        Assert.Equal(2, secondAgain.Place?.Position);

        var bob = await AgentAsync("bob", ["billing"], maxConcurrent: 1, status: AgentStatus.Away);
        var offers = new Inbox<OfferNotice>(h => bob.OfferReceived += h);
        await bob.SetStatusAsync(AgentStatus.Online);

        var offer = await offers.NextAsync();
        Assert.Equal(firstResult.Conversation.Id, offer.ConversationId);
        Assert.Equal("Refund for order 7", offer.Conversation.PreQualification.Details);
        await bob.AcceptOfferAsync(offer.ConversationId);
        Assert.Equal("Bob", (await firstJoined.NextAsync()).AgentName);
        await bob.CloseAsync(offer.ConversationId);
        Assert.Equal(secondResult.Conversation.Id, (await offers.NextAsync()).ConversationId);
    }

    [Fact]
    public async Task A_customer_waiting_before_a_restart_is_told_their_place_as_soon_as_they_are_back()
    {
        await BusyBillingAgentAsync();
        var first = await CustomerAsync();
        await first.RequestHelpAsync(Help("billing", "Refund for order 7"));
        _time.Advance(TimeSpan.FromSeconds(1));
        var second = await CustomerAsync();
        var places = new Inbox<QueueUpdate>(h => second.QueueUpdated += h);
        var queued = await second.RequestHelpAsync(Help("billing", "Invoice missing"));
        // The place told before the restart must not count as the one told after it.
        Assert.Equal(2, (await places.NextAsync()).Position);

        await Host.RestartAsync();

        var place = await places.NextAsync();
        Assert.Equal(queued.Conversation!.Id, place.ConversationId);
        Assert.Equal(2, place.Position);
    }

    /// <summary>
    /// Ann answers billing and is busy at her cap: the billing line waits, and, someone online being able to answer it,
    /// its customers are told their places.
    /// </summary>
    private async Task BusyBillingAgentAsync()
    {
        var ann = await AgentAsync("ann", ["billing"], maxConcurrent: 1);
        await ConversationAsync(ann, input: Help("billing", "Earlier question"));
    }

    /// <summary>Waits until the client, reconnecting on its own, reaches the restarted server.</summary>
    private static async Task BackOnlineAsync(ConversationClient client)
    {
        var deadline = DateTime.UtcNow + Inbox<object>.Patience;
        while (true)
        {
            try
            {
                await client.Connection.InvokeAsync<IReadOnlyList<ConversationView>>(Hub.Methods.MyConversations);
                return;
            }
            catch (Exception e) when (e is LiveHelpConnectionException or InvalidOperationException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }
        }
    }

    private static List<(long Seq, MessageKind Kind, string Text)> Lines(IEnumerable<Message> messages) =>
        [.. messages.Select(m => (m.Seq, m.Kind, m.Text))];

    private async Task<ResumeResult> TranscriptAsync(string token, string conversationId)
    {
        using var http = Host.Http(token);
        return (await http.GetFromJsonAsync<ResumeResult>($"/api/conversations/{conversationId}/transcript", Json.Options))!;
    }
}
