using System.Net.Http.Json;
using LiveHelp.Client;
using LiveHelp.Core;
using LiveHelp.Core.Contracts;
using LiveHelp.Core.Conversations;

namespace LiveHelp.Server.Tests;

public sealed class ReconnectTests : ServerTest
{
    // The writers here send as fast as the node answers, which is more than a thousand a second: no limit gets in the way.
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["LiveHelp:MessagesPerSecond"] = "1000000",
        ["LiveHelp:MessageBurst"] = "1000000",
    };

    [Fact]
    public async Task A_customer_whose_connection_drops_while_the_agent_writes_ends_up_with_every_message_once_and_in_order()
    {
        await using var cable = Cable.Start(Host.Port);
        var ann = await AgentAsync("ann");
        var customer = Track(await CustomerClient.ConnectAsync(cable.Uri, null, FastReconnect));
        var (_, _, id) = await ConversationAsync(ann, customer);
        await DropWhileTheOtherSideWritesAsync(cable, reader: customer, writer: ann, id, MessageKind.Agent);
    }

    [Fact]
    public async Task A_customer_on_a_flaky_connection_misses_nothing_while_the_agent_keeps_writing()
    {
        await using var cable = Cable.Start(Host.Port);
        var ann = await AgentAsync("ann");
        var customer = Track(await CustomerClient.ConnectAsync(cable.Uri, null, FastReconnect));
        var (_, _, id) = await ConversationAsync(ann, customer);
        var received = new Inbox<Message>(h => customer.MessageReceived += h);
        var dropped = new Inbox<Exception?>(h => customer.Reconnecting += h);
        var back = new Inbox<EventArgs>(h => customer.Reconnected += (sender, e) => h(sender, e));
        using var done = new CancellationTokenSource();
        var sent = new List<string>();
        var writing = Task.Run(async () =>
        {
            for (var i = 1; !done.IsCancellationRequested; i++)
            {
                await ann.SendMessageAsync(id, $"Line {i}");
                sent.Add($"Line {i}");
            }
        });

        for (var drop = 0; drop < 5; drop++)
        {
            await received.NextAsync(m => m.Kind == MessageKind.Agent);
            cable.Cut();
            await dropped.NextAsync();
            cable.Mend();
            await back.NextAsync();
        }
        await done.CancelAsync();
        await writing;
        await ReceivedAllAsync(received, sent);

        var stored = await StoredAsync(customer.Token!, id);
        Assert.Equal(Lines(stored), Lines(customer.Transcript(id)));
    }

    [Fact]
    public async Task An_agent_whose_connection_drops_while_the_customer_writes_ends_up_with_every_message_once_and_in_order()
    {
        await using var cable = Cable.Start(Host.Port);
        await Host.CreateAgentAsync("ann", ["general"]);
        var ann = Track(await AgentClient.SignInAsync(cable.Uri, "ann", LiveHelpHost.Password("ann"), FastReconnect));
        await ann.SetStatusAsync(AgentStatus.Online);
        // Nothing typed in the form, so every customer message is one the agent's client was sent after accepting.
        var (customer, _, id) = await ConversationAsync(ann, input: Help() with { Details = null });
        await ann.AddNoteAsync(id, "Regular customer");
        await DropWhileTheOtherSideWritesAsync(cable, reader: ann, writer: customer, id, MessageKind.Customer);
        Assert.Equal(ConversationStatus.Active, (await customer.ResumeAsync(id, 0)).Conversation.Status);
    }

    [Fact]
    public async Task A_message_sent_again_after_a_reconnect_with_the_same_client_id_is_stored_once()
    {
        await using var cable = Cable.Start(Host.Port);
        var ann = await AgentAsync("ann");
        var customer = Track(await CustomerClient.ConnectAsync(cable.Uri, null, FastReconnect));
        var (_, _, id) = await ConversationAsync(ann, customer);
        var delivered = new Inbox<Message>(h => ann.Connection.On<Message>(nameof(IHelpClient.message), m => h(ann, m)));
        var dropped = new Inbox<Exception?>(h => customer.Reconnecting += h);
        var back = new Inbox<EventArgs>(h => customer.Reconnected += (sender, e) => h(sender, e));

        var first = await customer.SendMessageAsync(id, "My order number is A-1001", clientMessageId: "order-number");
        cable.Cut();
        await dropped.NextAsync();
        cable.Mend();
        await back.NextAsync();
        var again = await customer.SendMessageAsync(id, "My order number is A-1001", clientMessageId: "order-number");

        var inFlight = customer.SendMessageAsync(id, "And my postcode is 10115", clientMessageId: "postcode");
        cable.Cut();
        await dropped.NextAsync();
        cable.Mend();
        var postcode = await inFlight;
        await back.NextAsync();
        var postcodeAgain = await customer.SendMessageAsync(id, "And my postcode is 10115", clientMessageId: "postcode");
        var marker = await customer.SendMessageAsync(id, "That's all");

        Assert.Equal(first.Seq, again.Seq);
        Assert.Equal(postcode.Seq, postcodeAgain.Seq);
        var stored = await StoredAsync(customer.Token!, id);
        Assert.Single(stored, m => m.ClientMessageId == "order-number");
        Assert.Single(stored, m => m.ClientMessageId == "postcode");
        Assert.Equal(marker.Seq, stored[^1].Seq);
        await delivered.NextAsync(m => m.Seq == marker.Seq);
        Assert.Single(delivered.Seen, m => m.ClientMessageId == "order-number");
        Assert.Single(delivered.Seen, m => m.ClientMessageId == "postcode");
    }

    /// <summary>
    /// Cuts the reader's line while the writer sends 20 messages (before, during and after the cut); the reader must
    /// end up holding every message once, in order, exactly as stored.
    /// </summary>
    private async Task DropWhileTheOtherSideWritesAsync(Cable cable, ConversationClient reader, ConversationClient writer, string id, MessageKind writerKind)
    {
        var received = new Inbox<Message>(h => reader.MessageReceived += h);
        var dropped = new Inbox<Exception?>(h => reader.Reconnecting += h);
        var back = new Inbox<EventArgs>(h => reader.Reconnected += (sender, e) => h(sender, e));

        for (var i = 1; i <= 5; i++)
        {
            await writer.SendMessageAsync(id, $"Update {i}");
        }
        await received.NextAsync(m => m.Text == "Update 5");
        cable.Cut();
        await dropped.NextAsync();
        for (var i = 6; i <= 12; i++)
        {
            await writer.SendMessageAsync(id, $"Update {i}");
        }
        cable.Mend();
        for (var i = 13; i <= 20; i++)
        {
            await writer.SendMessageAsync(id, $"Update {i}");
            await Task.Delay(10);
        }
        await back.NextAsync();
        await ReceivedAllAsync(received, Updates(20));

        Assert.Equal(received.Seen.Count, received.Seen.Select(m => m.Seq).Distinct().Count());
        var stored = await StoredAsync(reader.Token!, id);
        Assert.Equal(Lines(stored), Lines(reader.Transcript(id)));
        Assert.Equal(Updates(20), reader.Transcript(id).Where(m => m.Kind == writerKind).Select(m => m.Text));
    }

    private static List<string> Updates(int count) => [.. Enumerable.Range(1, count).Select(i => $"Update {i}")];

    private static List<(long Seq, MessageKind Kind, string Text)> Lines(IEnumerable<Message> messages) =>
        [.. messages.Select(m => (m.Seq, m.Kind, m.Text))];

    private async Task<IReadOnlyList<Message>> StoredAsync(string token, string conversationId)
    {
        using var http = Host.Http(token);
        var transcript = await http.GetFromJsonAsync<ResumeResult>($"/api/conversations/{conversationId}/transcript", Json.Options);
        return transcript!.Messages;
    }

    private static async Task ReceivedAllAsync(Inbox<Message> inbox, IReadOnlyCollection<string> texts)
    {
        try
        {
            while (!texts.All(t => inbox.Seen.Any(m => m.Text == t)))
            {
                await inbox.NextAsync();
            }
        }
        catch (TimeoutException)
        {
            var missing = texts.Where(t => !inbox.Seen.Any(m => m.Text == t));
            Assert.Fail($"never received: {string.Join(", ", missing)}");
        }
    }
}
