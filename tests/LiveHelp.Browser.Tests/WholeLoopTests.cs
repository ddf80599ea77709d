using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using LiveHelp.Core.Contracts;
using LiveHelp.Core.Conversations;
using LiveHelp.Server.Tests;
using Microsoft.Playwright;

namespace LiveHelp.Browser.Tests;

/// <summary>
/// The whole help loop as a new user would try it, every side in its own browser: a customer in the widget on the
/// demo page, Alice and then Bob in the console, and finally the stored transcript as an admin reads it.
/// </summary>
public sealed class WholeLoopTests : ConsoleTest
{
    private const string CustomerName = "Ada Lovelace";
    private const string Details = "I was charged twice for order 1234";
    private const string Note = "Double charge confirmed on order 1234, please refund the second one";
    private const string Comment = "Quick help, the handover was smooth";

    private static readonly string[] Skills = ["general", "billing", "technical", "device"];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public WholeLoopTests(BrowserFixture fixture)
        : base(fixture) => Assertions.SetDefaultExpectTimeout(15_000);

    [Fact]
    public async Task A_customer_is_helped_by_alice_then_bob_and_rates_the_chat_and_the_transcript_has_it_all()
    {
        await Host.CreateAgentAsync("alice", Skills);
        await Host.CreateAgentAsync("bob", Skills);

        // Alice signs in to the console in her own browser and goes online.
        var alice = await ConsoleAsync("alice", LiveHelpHost.Password("alice"));
        await SetStatusAsync(alice, "online");

        // The customer, in a third browser, on the demo page. Every frame their browser receives is kept, and the
        // widget's shadow DOM is watched, so the test can tell whether the internal note ever reached them.
        var customer = await OpenAsync("/healthz");
        var frames = new ConcurrentQueue<string>();
        customer.WebSocket += (_, socket) => socket.FrameReceived += (_, frame) => frames.Enqueue(frame.Text ?? "");
        await customer.GotoAsync(new Uri(Host.LocalhostUri, "/").ToString());
        await Expect(Launcher(customer)).ToBeVisibleAsync();
        await WatchWidgetForAsync(customer, Note);
        await ScreenshotAsync(customer, "loop-1-demo-page");

        await Launcher(customer).ClickAsync();
        await Expect(Panel(customer)).ToBeVisibleAsync();
        await customer.GetByLabel("Topic").SelectOptionAsync("billing");
        await customer.GetByLabel("How can we help?").FillAsync(Details);
        await customer.GetByLabel("Your name").FillAsync(CustomerName);
        await ScreenshotAsync(customer, "loop-2-prechat");
        await customer.GetByRole(AriaRole.Button, new() { Name = "Start chat" }).ClickAsync();
        await Expect(customer.Locator(".card")).ToContainTextAsync("in line");

        // Alice is offered the request, with what the customer typed, and accepts it.
        var offer = alice.Locator(".offer");
        await Expect(offer).ToBeVisibleAsync();
        await Expect(offer).ToContainTextAsync(CustomerName);
        await Expect(offer).ToContainTextAsync("Billing");
        await Expect(offer).ToContainTextAsync(Details);
        await ScreenshotAsync(alice, "loop-3-offer");
        await offer.GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();
        await Expect(offer).ToHaveCountAsync(0);
        await Expect(alice.Locator(".chat__name")).ToHaveTextAsync(CustomerName);
        await Expect(alice.Locator(".col--context")).ToContainTextAsync(Details);

        await Expect(AgentCard(customer)).ToHaveTextAsync("Alice");
        await Expect(WidgetLog(customer)).ToContainTextAsync("Alice joined the conversation.");

        // Both chat, each line waited for on the other side before the next is typed.
        string[] typed =
        [
            "Hello, I see two identical charges on my card",
            "Hi Ada, I am sorry about that. Let me look at order 1234.",
            "Thanks! Both charges were made on the 3rd of May.",
            "I can see both charges. Bob handles refunds, I am passing you to him now.",
            "Hi Ada, Bob here. I have refunded the second charge, it takes 3 to 5 days.",
            "Great, thank you Bob!",
            "You are welcome. Have a nice day!",
        ];
        await CustomerSaysAsync(customer, alice, typed[0]);
        await AgentSaysAsync(alice, customer, typed[1]);
        await CustomerSaysAsync(customer, alice, typed[2]);
        await AgentSaysAsync(alice, customer, typed[3]);
        await ScreenshotAsync(customer, "loop-4-customer-chat-with-alice");
        await ScreenshotAsync(alice, "loop-5-alice-chat");

        // Bob signs in in a browser of his own, and Alice transfers the chat to him with a note.
        var bob = await ConsoleAsync("bob", LiveHelpHost.Password("bob"));
        await SetStatusAsync(bob, "online");
        await alice.Locator(".chat__actions").GetByRole(AriaRole.Button, new() { Name = "Transfer" }).ClickAsync();
        var transfer = alice.GetByRole(AriaRole.Dialog, new() { Name = "Transfer conversation" });
        await Expect(transfer).ToBeVisibleAsync();
        await transfer.GetByRole(AriaRole.Radio, new() { Name = "Bob" }).CheckAsync();
        await transfer.GetByLabel("Note for the next agent").FillAsync(Note);
        await ScreenshotAsync(alice, "loop-6-transfer-dialog");
        await transfer.GetByRole(AriaRole.Button, new() { Name = "Transfer", Exact = true }).ClickAsync();
        await Expect(transfer).ToHaveCountAsync(0);
        await Expect(alice.Locator(".chat__banner")).ToContainTextAsync("Transferred to Bob.");
        await Expect(alice.Locator("#composer")).ToBeHiddenAsync();

        // The customer sees Bob helping now, and nothing of the note.
        await Expect(AgentCard(customer)).ToHaveTextAsync("Bob");
        await Expect(customer.Locator(".card")).ToContainTextAsync("is helping you");
        await Expect(WidgetLog(customer)).ToContainTextAsync("Bob has taken over from Alice.");
        await Expect(Panel(customer)).Not.ToContainTextAsync(Note);

        // Bob has the conversation open with its history and Alice's note, and replies.
        await Expect(bob.Locator(".chat__name")).ToHaveTextAsync(CustomerName);
        await Expect(Log(bob).Locator(".msg--note")).ToContainTextAsync(Note);
        await Expect(Log(bob)).ToContainTextAsync("Bob has taken over from Alice.");
        await Expect(Log(bob)).ToContainTextAsync(typed[0]);
        await Expect(Log(bob)).ToContainTextAsync(typed[3]);
        await ScreenshotAsync(bob, "loop-7-bob-sees-the-note");
        await AgentSaysAsync(bob, customer, typed[4]);
        await CustomerSaysAsync(customer, bob, typed[5]);
        await AgentSaysAsync(bob, customer, typed[6]);
        await ScreenshotAsync(customer, "loop-8-customer-chat-with-bob");

        // Bob ends the chat; the customer rates it.
        await bob.GetByRole(AriaRole.Button, new() { Name = "End chat" }).ClickAsync();
        await bob.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "End conversation" }).ClickAsync();
        await Expect(bob.Locator(".chat__banner")).ToHaveTextAsync("This conversation is closed.");
        await Expect(customer.GetByRole(AriaRole.Heading, new() { Name = "This chat has ended" })).ToBeVisibleAsync();
        await Expect(WidgetLog(customer)).ToContainTextAsync("Bob closed the conversation.");
        await customer.Locator("label[for=lh-star-4]").ClickAsync();
        await customer.GetByLabel("Anything you'd like to add?").FillAsync(Comment);
        await ScreenshotAsync(customer, "loop-9-rating");
        await customer.GetByRole(AriaRole.Button, new() { Name = "Send feedback" }).ClickAsync();
        await Expect(customer.GetByText("Thank you for your feedback!")).ToBeVisibleAsync();
        await ScreenshotAsync(customer, "loop-10-rated");

        // What the customer could see or download never held the note.
        var download = await customer.RunAndWaitForDownloadAsync(
            () => customer.GetByRole(AriaRole.Button, new() { Name = "Download transcript" }).ClickAsync());
        var customerCopy = await File.ReadAllTextAsync(await download.PathAsync());
        Assert.Contains(typed[6], customerCopy);
        Assert.DoesNotContain(Note, customerCopy);
        Assert.False(await customer.EvaluateAsync<bool>("() => window.__noteShown === true"), "the widget showed the internal note");
        await Expect(Panel(customer)).Not.ToContainTextAsync(Note);
        Assert.Contains(frames, f => f.Contains(typed[4], StringComparison.Ordinal));
        Assert.DoesNotContain(frames, f => f.Contains(Note, StringComparison.Ordinal));

        // The transcript, as the admin reads it.
        using var admin = await AdminHttpAsync();
        var visitorId = await customer.EvaluateAsync<string>(
            "key => JSON.parse(localStorage.getItem(key)).visitorId", "livehelp:" + Host.LocalhostUri.ToString().TrimEnd('/'));
        var conversations = await admin.GetFromJsonAsync<List<ConversationView>>($"/api/visitors/{visitorId}/conversations", Json);
        var id = Assert.Single(conversations!).Id;
        var transcript = await TranscriptAsync(admin, id);

        var conversation = transcript.Conversation;
        Assert.Equal("billing", conversation.Topic);
        Assert.Equal(Details, conversation.PreQualification.Details);
        Assert.Equal(CustomerName, conversation.PreQualification.Name);
        Assert.Equal(ConversationStatus.Closed, conversation.Status);
        Assert.Equal("Bob", conversation.AgentName);
        Assert.Equal(4, conversation.Rating);
        Assert.Equal(Comment, conversation.RatingComment);

        // The question from the pre-chat form opens it, then what both sides typed.
        var spoken = transcript.Messages.Where(m => m.Kind is MessageKind.Customer or MessageKind.Agent).ToList();
        Assert.Equal([Details, .. typed], spoken.Select(m => m.Text));
        Assert.Equal(
            [MessageKind.Customer, MessageKind.Customer, MessageKind.Agent, MessageKind.Customer, MessageKind.Agent, MessageKind.Agent, MessageKind.Customer, MessageKind.Agent],
            spoken.Select(m => m.Kind));
        Assert.Equal(1, spoken[0].Seq);
        Assert.Equal(["Alice", "Alice", "Bob", "Bob"], spoken.Where(m => m.Kind == MessageKind.Agent).Select(m => m.SenderName));
        var note = Assert.Single(transcript.Messages, m => m.Kind == MessageKind.Note);
        Assert.Equal(Note, note.Text);
        Assert.Equal("Alice", note.SenderName);
        Assert.InRange(note.Seq, spoken[4].Seq + 1, spoken[5].Seq - 1);
        Assert.Equal(transcript.Messages.Select(m => m.Seq).Order(), transcript.Messages.Select(m => m.Seq));
    }

    private static ILocator Launcher(IPage page) => page.GetByRole(AriaRole.Button, new() { Name = "Chat with us" });

    private static ILocator Panel(IPage page) => page.GetByRole(AriaRole.Dialog, new() { Name = "Chat with us" });

    private static ILocator WidgetLog(IPage page) => Panel(page).GetByRole(AriaRole.Log);

    private static ILocator AgentCard(IPage page) => page.Locator(".card .main");

    /// <summary>Records in the page whether <paramref name="text"/> ever appears anywhere in the widget's shadow DOM.</summary>
    private static Task WatchWidgetForAsync(IPage page, string text) => page.EvaluateAsync(
        """
        text => {
          const root = document.querySelector('livehelp-widget').shadowRoot;
          window.__noteShown = false;
          new MutationObserver(() => { if (root.textContent.includes(text)) window.__noteShown = true; })
            .observe(root, { childList: true, subtree: true, characterData: true });
        }
        """, text);

    /// <summary>The customer types a line in the widget and presses Enter; the agent's console shows it.</summary>
    private static async Task CustomerSaysAsync(IPage customer, IPage agent, string text)
    {
        var composer = customer.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true });
        await composer.PressSequentiallyAsync(text);
        await composer.PressAsync("Enter");
        await Expect(composer).ToHaveValueAsync("");
        await Expect(customer.Locator(".msg.mine[data-seq] .bubble", new() { HasTextString = text })).ToHaveCountAsync(1);
        await Expect(Log(agent).Locator(".msg--customer", new() { HasTextString = text })).ToHaveCountAsync(1);
    }

    /// <summary>The agent types a line in the console and presses Enter; the customer's widget shows it.</summary>
    private static async Task AgentSaysAsync(IPage agent, IPage customer, string text)
    {
        var composer = agent.Locator("#composer");
        await composer.PressSequentiallyAsync(text);
        await composer.PressAsync("Enter");
        await Expect(composer).ToHaveValueAsync("");
        await Expect(Log(agent).Locator(".msg--agent", new() { HasTextString = text })).ToHaveCountAsync(1);
        await Expect(customer.Locator(".msg.theirs[data-seq] .bubble", new() { HasTextString = text })).ToHaveCountAsync(1);
    }

    /// <summary>The stored transcript, read again until the customer's rating has been saved with it.</summary>
    private static async Task<ResumeResult> TranscriptAsync(HttpClient admin, string id)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var transcript = await admin.GetFromJsonAsync<ResumeResult>($"/api/conversations/{id}/transcript", Json);
            if (transcript!.Conversation.Rating is not null || DateTime.UtcNow > until)
            {
                return transcript;
            }
            await Task.Delay(100);
        }
    }
}
