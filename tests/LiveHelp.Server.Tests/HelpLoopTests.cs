using System.Net.Http.Json;
using LiveHelp.Core;
using LiveHelp.Core.Contracts;
using LiveHelp.Core.Conversations;

namespace LiveHelp.Server.Tests;

public sealed class HelpLoopTests : ServerTest
{
    [Fact]
    public async Task Customer_asks_agent_accepts_they_chat_close_and_rate_and_the_transcript_holds_it_all()
    {
        var ann = await AgentAsync("ann", ["general", "billing"]);
        var offers = new Inbox<OfferNotice>(h => ann.OfferReceived += h);
        var annMessages = new Inbox<Message>(h => ann.MessageReceived += h);
        var customer = await CustomerAsync();
        var joined = new Inbox<AgentJoined>(h => customer.AgentJoined += h);
        var customerMessages = new Inbox<Message>(h => customer.MessageReceived += h);

        var result = await customer.RequestHelpAsync(new RequestHelpInput
        {
            Topic = "billing",
            Mode = HelpMode.Chat,
            Details = "Charged twice for order 42",
            Name = "Chris",
            Email = "chris@example.org",
            PageUrl = "https://shop.example/orders/42",
            OrderId = "42",
            DeviceModel = "Pixel 8",
            DeviceOs = "Android 15",
            AppVersion = "3.2.1",
        });
        Assert.Equal(RequestHelpStatus.Queued, result.Status);
        var id = result.Conversation!.Id;

        // The offer carries everything the customer said, so the agent never has to ask again.
        var offer = await offers.NextAsync();
        Assert.Equal(id, offer.ConversationId);
        Assert.Equal("Charged twice for order 42", offer.Conversation.PreQualification.Details);
        Assert.Equal("Chris", offer.Conversation.PreQualification.Name);
        Assert.Equal("https://shop.example/orders/42", offer.Conversation.PreQualification.PageUrl);
        Assert.Equal("42", offer.Conversation.PreQualification.OrderId);
        Assert.Equal("Pixel 8", offer.Conversation.PreQualification.DeviceModel);
        Assert.True(offer.Deadline > DateTimeOffset.UtcNow);

        var accepted = await ann.AcceptOfferAsync(id);
        Assert.Equal(ConversationStatus.Active, accepted.Status);
        var agentJoined = await joined.NextAsync();
        Assert.Equal("Ann", agentJoined.AgentName);

        var question = await customer.SendMessageAsync(id, "Hello, I was charged twice");
        Assert.Equal(question.Seq, (await annMessages.NextAsync(m => m.Kind == MessageKind.Customer)).Seq);
        var answer = await ann.SendMessageAsync(id, "Hi Chris, I'm Ann. Let me look.");
        Assert.Equal("Hi Chris, I'm Ann. Let me look.", (await customerMessages.NextAsync(m => m.Kind == MessageKind.Agent)).Text);
        Assert.True(answer.Seq > question.Seq);

        await customer.CloseAsync(id);
        await customer.RateAsync(id, 5, "Quick and kind");

        using var http = Host.Http(customer.Token);
        var transcript = await http.GetFromJsonAsync<ResumeResult>($"/api/conversations/{id}/transcript", Json.Options);
        Assert.Equal(
            ["Charged twice for order 42", "Ann joined the conversation.", "Hello, I was charged twice", "Hi Chris, I'm Ann. Let me look.", "The customer closed the conversation."],
            transcript!.Messages.Select(m => m.Text));
        Assert.Equal(Enumerable.Range(1, 5).Select(i => (long)i), transcript.Messages.Select(m => m.Seq));
        var c = transcript.Conversation;
        Assert.Equal(ConversationStatus.Closed, c.Status);
        Assert.Equal("billing", c.Topic);
        Assert.Equal(5, c.Rating);
        Assert.Equal("Quick and kind", c.RatingComment);
        Assert.NotNull(c.QueueWaitSeconds);
        Assert.NotNull(c.FirstResponseSeconds);
        Assert.NotNull(c.HandleSeconds);
        Assert.True(c.HandleSeconds >= c.FirstResponseSeconds);

        var text = await http.GetStringAsync($"/api/conversations/{id}/transcript.txt");
        Assert.Contains("Chris (customer): Charged twice for order 42", text);
        Assert.Contains("Chris (customer): Hello, I was charged twice", text);
        Assert.Contains("Ann (agent): Hi Chris, I'm Ann. Let me look.", text);
        Assert.Contains("Rating: 5/5 Quick and kind", text);
    }
}
