using System.Net.Http.Json;
using System.Text.Json;
using LiveHelp.Client;
using LiveHelp.Core;
using LiveHelp.Core.Contracts;
using LiveHelp.Server.Tests;
using Microsoft.Playwright;

namespace LiveHelp.Browser.Tests;

/// <summary>
/// The agent console in Chromium against a real server, with customers on the .NET SDK: so these tests also show the
/// official JavaScript client and the .NET SDK taking part in one conversation.
/// </summary>
public sealed class ConsoleTests(BrowserFixture fixture) : ConsoleTest(fixture)
{
    // Counts the beeps (Web Audio) and records the browser notifications the page makes.
    private const string RecordAlerts = @"() => {
        window.__beeps = 0;
        const create = AudioContext.prototype.createOscillator;
        AudioContext.prototype.createOscillator = function () { window.__beeps++; return create.call(this); };
        window.__notes = [];
        const Native = window.Notification;
        window.Notification = class extends Native {
            constructor(title, options) { window.__notes.push(title + ' | ' + (options && options.body)); super(title, options); }
        };
    }";

    private const string ImgPayload = "<img src=x onerror=window.__xss=1>";
    private const string TemplatePayload = "{{constructor.constructor('window.__xss=1')()}}";

    [Fact]
    public async Task Agent_takes_an_offer_chats_notes_uses_a_canned_response_transfers_and_the_next_agent_closes()
    {
        await Host.CreateAgentAsync("alice", ["general"]);
        await Host.CreateAgentAsync("bob", ["general"]);
        await SetCannedAsync(new { id = "greet", title = "Greeting", text = "Hi {name}, I'm {agent} from the {topic} team." });

        var alice = await OpenAsync("/console", new BrowserNewContextOptions { ViewportSize = Desktop.ViewportSize, Permissions = ["notifications"] });
        await ScreenshotAsync(alice, "console-sign-in");
        await SignInAsync(alice, "alice", LiveHelpHost.Password("alice"));
        await SetStatusAsync(alice, "online");
        // Record the beep (Web Audio) and the browser notification the offer should bring.
        await alice.EvaluateAsync(RecordAlerts);

        var customer = await CustomerAsync(Help("Dana Scully"));

        // The offer: the whole pre-qualification and a countdown that moves.
        var offer = alice.Locator(".offer");
        await Expect(offer).ToBeVisibleAsync();
        await Expect(offer).ToContainTextAsync("Dana Scully");
        await Expect(offer).ToContainTextAsync("dana@example.com");
        await Expect(offer).ToContainTextAsync("General");
        await Expect(offer).ToContainTextAsync("Chat");
        await Expect(offer).ToContainTextAsync("My order has not arrived");
        await Expect(offer).ToContainTextAsync("A-1042");
        await Expect(offer).ToContainTextAsync("https://shop.example.com/orders/42");
        await Expect(offer).ToContainTextAsync("Kindle Fire HD 10 · Fire OS 8.3 · 5.1.2");
        var timer = offer.GetByRole(AriaRole.Timer);
        await Expect(timer).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d+s to answer$"));
        var before = await timer.TextContentAsync();
        await Expect(timer).Not.ToHaveTextAsync(before!, new() { Timeout = 3000 });
        await Expect(alice.Locator("[role=alert]", new() { HasTextString = "New request from Dana Scully about General." })).ToHaveCountAsync(1);
        Assert.True(await alice.EvaluateAsync<int>("() => window.__beeps") > 0, "no beep");
        // The customer's name is isolated in the notification, so its direction cannot turn the topic around.
        Assert.Equal(["New LiveHelp request | \u2068Dana Scully\u2069 · General"], await alice.EvaluateAsync<string[]>("() => window.__notes"));
        await ScreenshotAsync(alice, "console-offer");

        await offer.GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();
        await Expect(offer).ToHaveCountAsync(0);
        await Expect(alice.Locator(".chat__name")).ToHaveTextAsync("Dana Scully");
        await Expect(alice.Locator(".col--context")).ToContainTextAsync("My order has not arrived");
        await Expect(Log(alice)).ToContainTextAsync("Alice joined the conversation.");

        // Both ways, with Enter and Shift+Enter.
        await customer.SayAsync("Hello, is anyone there?");
        await Expect(Log(alice).Locator(".msg--customer")).ToContainTextAsync(["My order has not arrived", "Hello, is anyone there?"]);
        var composer = alice.Locator("#composer");
        await composer.FillAsync("Hi Dana, I am looking at your order now.");
        await composer.PressAsync("Enter");
        await EventuallyAsync(() => customer.Received("Hi Dana, I am looking at your order now."), "the customer to get the reply");
        await composer.PressSequentiallyAsync("First line");
        await composer.PressAsync("Shift+Enter");
        await composer.PressSequentiallyAsync("second line");
        await composer.PressAsync("Enter");
        await EventuallyAsync(() => customer.Received("First line\nsecond line"), "a two-line message");
        Assert.Equal("", await composer.InputValueAsync());

        // Typing both ways, and Seen.
        await composer.PressSequentiallyAsync("Let me check");
        await EventuallyAsync(() => customer.TypingNotices.Any(n => n.Role == "agent" && n.IsTyping), "the customer to see the agent typing");
        await composer.FillAsync("");
        await customer.Client.TypingAsync(customer.ConversationId, true);
        await Expect(alice.Locator(".col--chat .typing")).ToHaveTextAsync("Dana Scully is typing…");
        await Expect(ConversationItem(alice, "Dana Scully")).ToContainTextAsync("typing…");
        await customer.Client.TypingAsync(customer.ConversationId, false);
        await Expect(alice.Locator(".col--chat .typing")).ToHaveTextAsync("");
        await customer.Client.MarkReadAsync(customer.ConversationId, customer.Client.LastSeenSeq(customer.ConversationId));
        await Expect(Log(alice).Locator(".seen")).ToHaveTextAsync("Seen");

        // An internal note: shown apart, never sent to the customer.
        await alice.GetByRole(AriaRole.Button, new() { Name = "Internal note", Exact = true }).ClickAsync();
        await Expect(alice.Locator(".composer--note")).ToBeVisibleAsync();
        await composer.FillAsync("VIP customer, refund approved by billing");
        await composer.PressAsync("Enter");
        await Expect(Log(alice).Locator(".msg--note")).ToContainTextAsync("VIP customer, refund approved by billing");
        await Expect(Log(alice).Locator(".msg--note")).ToContainTextAsync("Internal note · Alice");

        // A canned response from "/", with the placeholders filled.
        await alice.GetByRole(AriaRole.Button, new() { Name = "Reply", Exact = true }).ClickAsync();
        await composer.FocusAsync();
        await composer.PressAsync("/");
        var picker = alice.GetByRole(AriaRole.Dialog, new() { Name = "Canned responses" });
        await Expect(picker).ToBeVisibleAsync();
        await picker.GetByRole(AriaRole.Combobox).PressSequentiallyAsync("greet");
        await Expect(picker.GetByRole(AriaRole.Option)).ToContainTextAsync("Hi Dana Scully, I'm Alice from the General team.");
        await ScreenshotAsync(alice, "console-canned");
        await picker.GetByRole(AriaRole.Combobox).PressAsync("Enter");
        await Expect(picker).ToHaveCountAsync(0);
        await Expect(composer).ToHaveValueAsync("Hi Dana Scully, I'm Alice from the General team.");
        await composer.PressAsync("Enter");
        await EventuallyAsync(() => customer.Received("Hi Dana Scully, I'm Alice from the General team."), "the canned response");
        Assert.DoesNotContain(customer.Messages, m => m.Text.Contains("VIP customer"));
        var resumed = await customer.Client.ResumeAsync(customer.ConversationId, 0);
        Assert.DoesNotContain(resumed.Messages, m => m.Text.Contains("VIP customer"));
        await ScreenshotAsync(alice, "console-chat");

        await Expect(alice.Locator(".list .panel-count")).ToHaveTextAsync("1 open");

        // Transfer to Bob, who is signed in in another browser, with a note he sees.
        var bob = await ConsoleAsync("bob", notifications: true);
        await SetStatusAsync(bob, "online");
        await bob.EvaluateAsync(RecordAlerts);
        await alice.Locator(".chat__actions").GetByRole(AriaRole.Button, new() { Name = "Transfer" }).ClickAsync();
        var transfer = alice.GetByRole(AriaRole.Dialog, new() { Name = "Transfer conversation" });
        await Expect(transfer).ToBeVisibleAsync();
        await transfer.GetByRole(AriaRole.Radio, new() { Name = "Bob" }).CheckAsync();
        await transfer.GetByLabel("Note for the next agent").FillAsync("Refund approved, please confirm the address");
        await ScreenshotAsync(alice, "console-transfer");
        await transfer.GetByRole(AriaRole.Button, new() { Name = "Transfer", Exact = true }).ClickAsync();
        await Expect(transfer).ToHaveCountAsync(0);
        await Expect(alice.Locator(".chat__banner")).ToContainTextAsync("Transferred to Bob.");
        await Expect(ConversationItem(alice, "Dana Scully")).ToContainTextAsync("Transferred");
        // Still listed, no longer counted as open.
        await Expect(alice.Locator(".list .panel-count")).ToHaveTextAsync("");
        await Expect(alice.Locator("#composer")).ToBeHiddenAsync();

        await Expect(bob.Locator(".chat__name")).ToHaveTextAsync("Dana Scully");
        // Handed over directly, it gets Bob's attention as an offer would.
        await Expect(bob.Locator("[role=alert]", new() { HasTextString = "Dana Scully about General was handed over to you." })).ToHaveCountAsync(1);
        Assert.True(await bob.EvaluateAsync<int>("() => window.__beeps") > 0, "no beep for the hand-over");
        Assert.Equal(["Conversation handed over to you | \u2068Dana Scully\u2069 · General"], await bob.EvaluateAsync<string[]>("() => window.__notes"));
        await Expect(Log(bob).Locator(".msg--note").Last).ToContainTextAsync("Refund approved, please confirm the address");
        await Expect(Log(bob)).ToContainTextAsync("Bob has taken over from Alice.");
        await Expect(Log(bob)).ToContainTextAsync("Hello, is anyone there?");
        await Expect(bob.Locator(".col--context")).ToContainTextAsync("A-1042");
        await ScreenshotAsync(bob, "console-after-transfer");
        Assert.DoesNotContain(customer.Messages, m => m.Text.Contains("Refund approved"));

        // Bob ends the chat.
        await bob.GetByRole(AriaRole.Button, new() { Name = "End chat" }).ClickAsync();
        await bob.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "End conversation" }).ClickAsync();
        await EventuallyAsync(() => customer.Closed, "the customer to be told the chat ended");
        await Expect(bob.Locator(".chat__banner")).ToHaveTextAsync("This conversation is closed.");
        await Expect(ConversationItem(bob, "Dana Scully")).ToContainTextAsync("Closed");
    }

    [Fact]
    public async Task A_conversation_passed_on_to_the_team_is_offered_with_the_note_of_the_agent_who_passed_it()
    {
        await Host.CreateAgentAsync("alice", ["general"]);
        await Host.CreateAgentAsync("carl", ["billing"]);
        await using var carl = await AgentClient.SignInAsync(Host.BaseUri, "carl", LiveHelpHost.Password("carl"));
        var offered = new TaskCompletionSource<OfferNotice>(TaskCreationOptions.RunContinuationsAsynchronously);
        carl.OfferReceived += (_, offer) => offered.TrySetResult(offer);
        await carl.SetStatusAsync(AgentStatus.Online);
        var customer = await CustomerAsync(Help("Dana Scully", topic: "billing"));
        await carl.AcceptOfferAsync((await offered.Task.WaitAsync(TimeSpan.FromSeconds(10))).ConversationId);
        var alice = await ConsoleAsync("alice");
        await SetStatusAsync(alice, "online");

        await carl.TransferAsync(customer.ConversationId, new TransferInput { ToTopic = "general", Note = "Refund approved <b>twice</b>" });

        var offer = alice.Locator(".offer");
        await Expect(offer).ToContainTextAsync("Note from the agent who passed it on");
        await Expect(offer).ToContainTextAsync("Refund approved <b>twice</b>");
        await Expect(offer.Locator("b")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Six_conversations_at_once_show_unread_counts_and_one_is_open_at_a_time()
    {
        await Host.CreateAgentAsync("alice", ["general", "billing"], maxConcurrent: 6, autoAccept: true);
        var alice = await ConsoleAsync("alice");
        await SetStatusAsync(alice, "online");

        string[] names = ["Ada Lovelace", "Grace Hopper", "Alan Turing", "Katherine Johnson", "Linus Torvalds", "Margaret Hamilton"];
        var customers = new List<CustomerProbe>();
        foreach (var name in names)
        {
            customers.Add(await CustomerAsync(Help(name, "Question from " + name, topic: customers.Count % 2 == 0 ? "general" : "billing")));
            await Expect(ConversationItem(alice, name)).ToBeVisibleAsync();
        }
        await Expect(alice.Locator("button.conv")).ToHaveCountAsync(6);

        // The first is open; messages to the others are counted as unread.
        await ConversationItem(alice, "Ada Lovelace").ClickAsync();
        await Expect(alice.Locator(".chat__name")).ToHaveTextAsync("Ada Lovelace");
        await customers[0].SayAsync("Thanks, that helps");
        await customers[1].SayAsync("Are you still there?");
        await customers[1].SayAsync("Hello?");
        await customers[3].SayAsync("My Kindle will not charge");
        await customers[5].SayAsync("I need to change my delivery address");

        // Each question from the form is unread too, until its conversation is opened.
        await Expect(ConversationItem(alice, "Grace Hopper").Locator(".count")).ToHaveTextAsync("3");
        await Expect(ConversationItem(alice, "Grace Hopper")).ToContainTextAsync("3 unread messages");
        await Expect(ConversationItem(alice, "Alan Turing").Locator(".count")).ToHaveTextAsync("1");
        await Expect(ConversationItem(alice, "Katherine Johnson").Locator(".count")).ToHaveTextAsync("2");
        await Expect(ConversationItem(alice, "Linus Torvalds").Locator(".count")).ToHaveTextAsync("1");
        await Expect(ConversationItem(alice, "Margaret Hamilton").Locator(".count")).ToHaveTextAsync("2");
        await Expect(ConversationItem(alice, "Ada Lovelace").Locator(".count")).ToHaveCountAsync(0);
        await Expect(Log(alice)).ToContainTextAsync("Thanks, that helps");
        await Expect(alice).ToHaveTitleAsync("(9) LiveHelp Console");
        await ScreenshotAsync(alice, "console-six-chats");

        // Opening one clears its count, and only its messages are shown.
        await ConversationItem(alice, "Grace Hopper").FocusAsync();
        await alice.Keyboard.PressAsync("Enter");
        await Expect(alice.Locator(".chat__name")).ToHaveTextAsync("Grace Hopper");
        await Expect(ConversationItem(alice, "Grace Hopper").Locator(".count")).ToHaveCountAsync(0);
        await Expect(Log(alice)).ToContainTextAsync("Hello?");
        await Expect(Log(alice)).Not.ToContainTextAsync("Thanks, that helps");
        await Expect(alice.Locator("#composer")).ToBeFocusedAsync();
        await alice.Keyboard.TypeAsync("Yes, still here!");
        await alice.Keyboard.PressAsync("Enter");
        await EventuallyAsync(() => customers[1].Received("Yes, still here!"), "the reply to the second customer");
        Assert.False(customers[0].Received("Yes, still here!"));
        await Expect(alice).ToHaveTitleAsync("(6) LiveHelp Console");
    }

    [Fact]
    public async Task On_a_laptop_screen_the_conversation_header_keeps_the_customer_and_its_summary_readable()
    {
        await Host.CreateAgentAsync("alice", ["general"], autoAccept: true);
        var alice = await OpenAsync("/console", new BrowserNewContextOptions { ViewportSize = new() { Width = 1280, Height = 720 } });
        await SignInAsync(alice, "alice", LiveHelpHost.Password("alice"));
        await SetStatusAsync(alice, "online");
        await CustomerAsync(Help("Dana Scully"));
        await ConversationItem(alice, "Dana Scully").ClickAsync();
        await Expect(alice.Locator(".chat__name")).ToHaveTextAsync("Dana Scully");

        // Next to the call and transfer buttons, the topic · mode · start line stays one line in a title with room.
        var sub = await alice.Locator(".chat__sub").EvaluateAsync<double[]>(
            "e => [e.getBoundingClientRect().height, parseFloat(getComputedStyle(e).lineHeight) || parseFloat(getComputedStyle(e).fontSize) * 1.5]");
        Assert.True(sub[0] <= sub[1] * 1.2, $"the summary line wraps: {sub[0]} px high for a {sub[1]} px line");
        var title = await alice.Locator(".chat__title").BoundingBoxAsync();
        Assert.True(title!.Width >= 240, $"the title is squeezed to {title.Width} px");
        await ScreenshotAsync(alice, "console-header-laptop");
    }

    [Fact]
    public async Task An_agent_can_work_with_the_keyboard_alone()
    {
        await Host.CreateAgentAsync("alice", ["general"]);
        var alice = await OpenAsync("/console", Desktop);
        await Expect(alice.GetByLabel("Username")).ToBeFocusedAsync();
        await alice.Keyboard.TypeAsync("alice");
        await alice.Keyboard.PressAsync("Tab");
        await alice.Keyboard.TypeAsync(LiveHelpHost.Password("alice"));
        await alice.Keyboard.PressAsync("Enter");
        await Expect(alice.Locator(".conn")).ToHaveTextAsync("Connected");
        await alice.Locator("#status").FocusAsync();
        await alice.Locator("#status").SelectOptionAsync("online");
        await Expect(alice.Locator("#status.status-select--online")).ToBeVisibleAsync();

        var customer = await CustomerAsync(Help("Dana Scully"));
        var accept = alice.Locator(".offer").GetByRole(AriaRole.Button, new() { Name = "Accept" });
        await Expect(accept).ToBeVisibleAsync();
        await Expect(accept).Not.ToBeFocusedAsync();
        await alice.Locator("#status").FocusAsync();
        for (var i = 0; i < 6 && !await accept.EvaluateAsync<bool>("b => b === document.activeElement"); i++)
        {
            await alice.Keyboard.PressAsync("Tab");
        }
        await Expect(accept).ToBeFocusedAsync();
        await alice.Keyboard.PressAsync("Enter");

        await Expect(alice.Locator("#composer")).ToBeFocusedAsync();
        await alice.Keyboard.TypeAsync("Hello Dana, typed without a mouse.");
        await alice.Keyboard.PressAsync("Enter");
        await EventuallyAsync(() => customer.Received("Hello Dana, typed without a mouse."), "the keyboard-typed reply");

        // A canned response, picked with the arrow keys; Escape closes the picker and leaves the "/" typed.
        await alice.Keyboard.PressAsync("/");
        await Expect(alice.GetByRole(AriaRole.Dialog)).ToBeVisibleAsync();
        await alice.Keyboard.PressAsync("Escape");
        await Expect(alice.GetByRole(AriaRole.Dialog)).ToHaveCountAsync(0);
        await Expect(alice.Locator("#composer")).ToHaveValueAsync("/");
        await Expect(alice.Locator("#composer")).ToBeFocusedAsync();
    }

    [Fact]
    public async Task Customer_context_shows_verified_identity_and_earlier_conversations_with_their_transcripts()
    {
        await Host.CreateAgentAsync("alice", ["general"], autoAccept: true);
        var alice = await ConsoleAsync("alice");
        await SetStatusAsync(alice, "online");

        var identity = await VerifiedAsync("user-4711", "Fox Mulder");
        var first = await CustomerAsync(Help("Fox Mulder", "Where is my parcel?"), identity);
        await Expect(alice.Locator(".chat__name")).ToHaveTextAsync("Fox Mulder");
        await first.SayAsync("The tracking number does not work");
        await alice.Locator("#composer").FillAsync("It is on its way, it arrives tomorrow.");
        await alice.Locator("#composer").PressAsync("Enter");
        await EventuallyAsync(() => first.Received("It is on its way, it arrives tomorrow."), "the reply");
        await first.Client.CloseAsync(first.ConversationId);
        await Expect(alice.Locator(".chat__banner")).ToHaveTextAsync("The customer ended this conversation.");
        await alice.GetByRole(AriaRole.Button, new() { Name = "Remove from list" }).ClickAsync();
        await Expect(alice.Locator("button.conv")).ToHaveCountAsync(0);
        await first.Client.DisposeAsync();

        // The same person comes back another day.
        var second = await CustomerAsync(Help("Fox Mulder", "The parcel arrived damaged", topic: "general"), await VerifiedAsync("user-4711", "Fox Mulder"));
        await Expect(alice.Locator(".chat__name")).ToHaveTextAsync("Fox Mulder");
        var context = alice.Locator(".col--context");
        await Expect(context).ToContainTextAsync("Verified user user-4711");
        await Expect(context).ToContainTextAsync("The parcel arrived damaged");
        await Expect(context).ToContainTextAsync("https://shop.example.com/orders/42");
        await Expect(context).ToContainTextAsync("Kindle Fire HD 10");
        await Expect(context).ToContainTextAsync("Fire OS 8.3");
        var earlier = context.Locator(".earlier__item");
        await Expect(earlier).ToHaveCountAsync(1);
        await Expect(earlier).ToContainTextAsync("Where is my parcel?");
        await Expect(earlier).ToContainTextAsync("Closed");
        await ScreenshotAsync(alice, "console-context");

        await earlier.ClickAsync();
        var dialog = alice.GetByRole(AriaRole.Dialog);
        await Expect(dialog).ToContainTextAsync("Transcript: Fox Mulder");
        await Expect(dialog.GetByRole(AriaRole.Log)).ToContainTextAsync("The tracking number does not work");
        await Expect(dialog.GetByRole(AriaRole.Log)).ToContainTextAsync("It is on its way, it arrives tomorrow.");
        await ScreenshotAsync(alice, "console-earlier-transcript");
        var download = await alice.RunAndWaitForDownloadAsync(() => dialog.GetByRole(AriaRole.Button, new() { Name = "Download as text" }).ClickAsync());
        var text = await File.ReadAllTextAsync((await download.PathAsync())!);
        Assert.Contains("Fox Mulder (customer): The tracking number does not work", text);
        Assert.Contains("Alice (agent): It is on its way, it arrives tomorrow.", text);
        await alice.Keyboard.PressAsync("Escape");
        await Expect(dialog).ToHaveCountAsync(0);
        Assert.NotEqual(first.ConversationId, second.ConversationId);
    }

    [Fact]
    public async Task Supervisor_sees_queue_agents_and_conversations_and_watches_one_read_only()
    {
        await Host.CreateAgentAsync("alice", ["general"], maxConcurrent: 1, autoAccept: true);
        await Host.CreateAgentAsync("sam", [], role: "supervisor");
        var alice = await ConsoleAsync("alice");
        await SetStatusAsync(alice, "online");

        var served = await CustomerAsync(Help("Monica Reyes", "Cannot sign in to my account"));
        await Expect(alice.Locator(".chat__name")).ToHaveTextAsync("Monica Reyes");
        await served.SayAsync("I reset my password twice");
        var waiting = await CustomerAsync(Help("John Doggett", "Refund for a double charge", topic: "general"));

        var sam = await ConsoleAsync("sam", path: "/console#/supervisor");
        var queue = sam.Locator("section[aria-labelledby=queue-heading]");
        await Expect(queue.Locator("tbody tr")).ToHaveCountAsync(1);
        await Expect(queue).ToContainTextAsync("John Doggett");
        await Expect(queue).ToContainTextAsync("General");
        var agents = sam.Locator("section[aria-labelledby=agents-heading]");
        await Expect(agents.Locator("tr", new() { HasTextString = "Alice" })).ToContainTextAsync("Online");
        await Expect(agents.Locator("tr", new() { HasTextString = "Alice" })).ToContainTextAsync("1/1");
        var progress = sam.Locator("section[aria-labelledby=progress-heading]");
        await Expect(progress).ToContainTextAsync("Monica Reyes");
        await Expect(sam.Locator(".stat").First).ToContainTextAsync("1");

        await progress.Locator("tr", new() { HasTextString = "Monica Reyes" }).GetByRole(AriaRole.Button, new() { Name = "Watch" }).ClickAsync();
        var watch = sam.Locator(".watch");
        await Expect(watch.GetByRole(AriaRole.Log)).ToContainTextAsync("I reset my password twice");
        await Expect(watch).ToContainTextAsync("Read-only");
        await Expect(watch.Locator("textarea")).ToHaveCountAsync(0);

        // Live: both sides' new messages, and a note, appear in the watch view.
        await served.SayAsync("Now it says my account is locked");
        await Expect(watch.GetByRole(AriaRole.Log)).ToContainTextAsync("Now it says my account is locked");
        await alice.Locator("#composer").FillAsync("I have unlocked it, please try again.");
        await alice.Locator("#composer").PressAsync("Enter");
        await Expect(watch.GetByRole(AriaRole.Log)).ToContainTextAsync("I have unlocked it, please try again.");
        await Expect(queue.Locator("tbody tr")).ToHaveCountAsync(1);
        await sam.EvaluateAsync("() => window.scrollTo(0, 0)");
        await ScreenshotAsync(sam, "console-supervisor");

        // The queue updates on its own when the waiting customer gives up.
        await waiting.Client.CancelHelpAsync(waiting.ConversationId);
        await Expect(queue).ToContainTextAsync("Nobody is waiting.", new() { Timeout = 10000 });
    }

    [Fact]
    public async Task Admin_creates_an_agent_and_adds_an_allowed_origin()
    {
        var admin = await ConsoleAsync("admin", path: "/console#/admin");
        var agents = admin.Locator("section[aria-labelledby=admin-agents]");
        await Expect(agents.Locator("tbody tr")).ToHaveCountAsync(1);

        var form = admin.Locator("form[aria-labelledby=create-agent-heading]");
        await form.GetByLabel("Username").FillAsync("carol");
        await form.GetByLabel("Display name").FillAsync("Carol Danvers");
        await form.GetByLabel("Password").FillAsync("carol-password");
        await form.GetByLabel("Role").SelectOptionAsync("supervisor");
        await form.GetByLabel("Skills").FillAsync("billing, technical");
        await form.GetByLabel("Max chats").FillAsync("4");
        await form.GetByLabel("Auto-accept").CheckAsync();
        await form.GetByRole(AriaRole.Button, new() { Name = "Add agent" }).ClickAsync();
        var row = agents.Locator("tr[data-agent=carol]");
        await Expect(row).ToBeVisibleAsync();
        await Expect(row.GetByLabel("Skills for Carol Danvers")).ToHaveValueAsync("billing, technical");

        // Edit: disable the account.
        await row.GetByLabel("Disabled for Carol Danvers").CheckAsync();
        await row.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(agents.Locator("tr[data-agent=carol]").GetByLabel("Disabled for Carol Danvers")).ToBeCheckedAsync();

        var origins = admin.Locator("section[aria-labelledby=admin-origins]");
        await origins.GetByLabel("Origin").FillAsync("https://shop.example.com");
        await origins.GetByRole(AriaRole.Button, new() { Name = "Add origin" }).ClickAsync();
        await Expect(origins.Locator("li")).ToContainTextAsync("https://shop.example.com");

        var topics = admin.Locator("section[aria-labelledby=admin-topics]");
        await topics.GetByLabel("Id").FillAsync("returns");
        await topics.GetByLabel("Name").FillAsync("Returns and refunds");
        await topics.GetByRole(AriaRole.Button, new() { Name = "Add or update topic" }).ClickAsync();
        await Expect(topics.Locator("tbody")).ToContainTextAsync("Returns and refunds");

        var canned = admin.Locator("section[aria-labelledby=admin-canned]");
        await canned.GetByRole(AriaRole.Button, new() { Name = "Add response" }).ClickAsync();
        await canned.GetByLabel("Title", new() { Exact = true }).Last.FillAsync("Goodbye");
        await canned.GetByLabel("Text", new() { Exact = true }).Last.FillAsync("Thanks for contacting us, {name}!");
        await canned.GetByRole(AriaRole.Button, new() { Name = "Save responses" }).ClickAsync();
        await Expect(admin.Locator(".toast--success").Last).ToContainTextAsync("Saved.");
        await admin.EvaluateAsync("() => window.scrollTo(0, 0)");
        await ScreenshotAsync(admin, "console-admin");

        using var http = await AdminHttpAsync();
        var list = await http.GetFromJsonAsync<JsonElement>("/api/agents");
        var carol = list.EnumerateArray().Single(a => a.GetProperty("username").GetString() == "carol");
        Assert.Equal("Carol Danvers", carol.GetProperty("displayName").GetString());
        Assert.Equal("supervisor", carol.GetProperty("role").GetString());
        Assert.Equal(4, carol.GetProperty("maxConcurrent").GetInt32());
        Assert.True(carol.GetProperty("autoAccept").GetBoolean());
        Assert.True(carol.GetProperty("disabled").GetBoolean());
        Assert.Equal(["billing", "technical"], carol.GetProperty("skills").EnumerateArray().Select(s => s.GetString()));
        var allowed = await http.GetFromJsonAsync<JsonElement>("/api/settings/allowed-origins");
        Assert.Contains("https://shop.example.com", allowed.GetProperty("origins").EnumerateArray().Select(o => o.GetString()));
        var responses = await http.GetFromJsonAsync<JsonElement>("/api/canned-responses");
        Assert.Contains("Thanks for contacting us, {name}!", responses.EnumerateArray().Select(r => r.GetProperty("text").GetString()));
    }

    [Fact]
    public async Task A_reload_keeps_the_conversations_with_no_gaps_and_no_duplicates()
    {
        await Host.CreateAgentAsync("alice", ["general"], autoAccept: true);
        var alice = await ConsoleAsync("alice");
        await SetStatusAsync(alice, "online");
        var one = await CustomerAsync(Help("Dana Scully"));
        var two = await CustomerAsync(Help("Fox Mulder"));
        await Expect(alice.Locator("button.conv")).ToHaveCountAsync(2);
        await ConversationItem(alice, "Dana Scully").ClickAsync();
        for (var i = 1; i <= 3; i++)
        {
            await one.SayAsync($"customer line {i}");
            await alice.Locator("#composer").FillAsync($"agent line {i}");
            await alice.Locator("#composer").PressAsync("Enter");
        }
        await Expect(Log(alice).Locator(".msg--agent")).ToHaveCountAsync(3);
        await Expect(Log(alice).Locator(".msg--customer")).ToHaveCountAsync(4);

        await alice.ReloadAsync();
        await Expect(alice.Locator(".conn")).ToHaveTextAsync("Connected");
        await Expect(alice.Locator("button.conv")).ToHaveCountAsync(2);
        await Expect(alice.Locator(".chat__name")).ToHaveTextAsync("Dana Scully");
        await Expect(Log(alice).Locator(".msg--customer")).ToHaveCountAsync(4);
        await Expect(Log(alice).Locator(".msg--agent")).ToHaveCountAsync(3);
        await Expect(alice.Locator("#status")).ToHaveValueAsync("online");

        // Messages sent while reloading and after it arrive once each, in order.
        await one.SayAsync("customer line 4");
        await two.SayAsync("hello from Fox");
        await Expect(Log(alice).Locator(".msg--customer")).ToHaveCountAsync(5);
        await Expect(ConversationItem(alice, "Fox Mulder").Locator(".count")).ToHaveTextAsync("2");
        var texts = await Log(alice).Locator(".msg--customer .msg__body, .msg--agent .msg__body").AllTextContentsAsync();
        Assert.Equal(["My order has not arrived", "customer line 1", "agent line 1", "customer line 2", "agent line 2", "customer line 3", "agent line 3", "customer line 4"], texts);
        var seqs = await Log(alice).Locator(".msg").EvaluateAllAsync<int[]>("els => els.map(e => Number(e.dataset.seq))");
        Assert.Equal(seqs.Distinct().Count(), seqs.Length);
        Assert.Equal(seqs.Order(), seqs);
    }

    [Fact]
    public async Task When_the_network_drops_the_console_says_so_and_then_shows_what_was_missed_once_in_order()
    {
        await Host.CreateAgentAsync("alice", ["general"], autoAccept: true);
        var alice = await ConsoleAsync("alice");
        await SetStatusAsync(alice, "online");
        var customer = await CustomerAsync(Help("Dana Scully"));
        await Expect(alice.Locator(".chat__name")).ToHaveTextAsync("Dana Scully");
        await customer.SayAsync("one");
        await Expect(Log(alice).Locator(".msg--customer")).ToHaveCountAsync(2);

        await alice.Context.SetOfflineAsync(true);
        await Expect(alice.Locator(".conn")).ToHaveTextAsync("Reconnecting…");
        await ScreenshotAsync(alice, "console-reconnecting");
        await customer.SayAsync("two");
        await customer.SayAsync("three");
        await alice.Context.SetOfflineAsync(false);
        await Expect(alice.Locator(".conn")).ToHaveTextAsync("Connected", new() { Timeout = 20000 });

        await Expect(Log(alice).Locator(".msg--customer")).ToHaveCountAsync(4);
        await customer.SayAsync("four");
        await Expect(Log(alice).Locator(".msg--customer")).ToHaveCountAsync(5);
        Assert.Equal(["My order has not arrived", "one", "two", "three", "four"], await Log(alice).Locator(".msg--customer .msg__body").AllTextContentsAsync());
    }

    [Fact]
    public async Task Untrusted_text_is_shown_literally_everywhere_in_the_console()
    {
        await Host.CreateAgentAsync("alice", ["general"], maxConcurrent: 2);
        var alice = await ConsoleAsync("alice", bypassCsp: true);
        await SetStatusAsync(alice, "online");

        // An earlier conversation, for the context panel and the transcript viewer.
        var client = await LiveHelp.Client.CustomerClient.ConnectAsync(Host.BaseUri);
        var input = new RequestHelpInput
        {
            Topic = "general",
            Mode = LiveHelp.Core.HelpMode.Chat,
            Name = ImgPayload,
            Email = TemplatePayload,
            Details = ImgPayload + " " + TemplatePayload,
            OrderId = TemplatePayload,
            PageUrl = "javascript:window.__xss=1",
            DeviceModel = ImgPayload,
            DeviceOs = TemplatePayload,
        };
        var first = await CustomerAsync(input, client: client);
        await Expect(alice.Locator(".offer")).ToContainTextAsync(ImgPayload);
        await Expect(alice.Locator(".offer")).ToContainTextAsync(TemplatePayload);
        await ScreenshotAsync(alice, "console-untrusted-offer");
        await alice.Locator(".offer").GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();
        await first.SayAsync(ImgPayload);
        await first.SayAsync(TemplatePayload);
        await Expect(Log(alice).Locator(".msg--customer .msg__body")).ToHaveTextAsync([ImgPayload + " " + TemplatePayload, ImgPayload, TemplatePayload]);
        await first.Client.CloseAsync(first.ConversationId);
        await Expect(alice.Locator(".chat__banner")).ToBeVisibleAsync();

        var second = await CustomerAsync(input with { Details = "second visit " + ImgPayload }, client: client);
        await alice.Locator(".offer").GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();
        await Expect(alice.Locator(".chat__name")).ToHaveTextAsync(ImgPayload);
        await second.SayAsync(ImgPayload + TemplatePayload);
        await alice.GetByRole(AriaRole.Button, new() { Name = "Internal note", Exact = true }).ClickAsync();
        await alice.Locator("#composer").FillAsync("note " + ImgPayload + " " + TemplatePayload);
        await alice.Locator("#composer").PressAsync("Enter");
        await Expect(Log(alice).Locator(".msg--note .msg__body")).ToHaveTextAsync("note " + ImgPayload + " " + TemplatePayload);
        await Expect(Log(alice).Locator(".msg--customer .msg__body")).ToHaveTextAsync(["second visit " + ImgPayload, ImgPayload + TemplatePayload]);
        var context = alice.Locator(".col--context");
        await Expect(context.Locator(".who__name")).ToHaveTextAsync(ImgPayload);
        await Expect(context).ToContainTextAsync(TemplatePayload);
        await Expect(context).ToContainTextAsync("javascript:window.__xss=1");
        Assert.Equal(0, await context.Locator("a[href^=javascript]").CountAsync());
        await Expect(ConversationItem(alice, ImgPayload).First).ToBeVisibleAsync();
        await context.Locator(".earlier__item").ClickAsync();
        var transcript = alice.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Log);
        await Expect(transcript.Locator(".msg--customer .msg__body")).ToHaveTextAsync([ImgPayload + " " + TemplatePayload, ImgPayload, TemplatePayload]);
        await ScreenshotAsync(alice, "console-untrusted-transcript");
        await alice.Keyboard.PressAsync("Escape");

        // The supervisor view: the queue (a third request waits while it is offered to Alice), conversations, the watched transcript.
        await CustomerAsync(input with { Details = "third" });
        var admin = await ConsoleAsync("admin", bypassCsp: true, path: "/console#/supervisor");
        await Expect(admin.Locator("section[aria-labelledby=queue-heading]")).ToContainTextAsync(ImgPayload);
        await Expect(admin.Locator("section[aria-labelledby=progress-heading]")).ToContainTextAsync(TemplatePayload);
        await admin.Locator("section[aria-labelledby=progress-heading] tbody tr").First.GetByRole(AriaRole.Button).ClickAsync();
        await Expect(admin.Locator(".watch").GetByRole(AriaRole.Log)).ToContainTextAsync(ImgPayload);
        await Expect(admin.Locator(".watch").GetByRole(AriaRole.Log)).ToContainTextAsync(TemplatePayload);
        await ScreenshotAsync(admin, "console-untrusted-supervisor");

        foreach (var page in new[] { alice, admin })
        {
            Assert.Equal(0, await page.Locator("img").CountAsync());
            Assert.True(await page.EvaluateAsync<bool>("() => typeof window.__xss === 'undefined'"), "window.__xss was set");
        }
    }

    [Fact]
    public async Task The_console_has_no_serious_accessibility_problems()
    {
        await Host.CreateAgentAsync("alice", ["general"], autoAccept: true);
        await SetCannedAsync(new { id = "greet", title = "Greeting", text = "Hi {name}!" });

        var alice = await OpenAsync("/console", new BrowserNewContextOptions { ViewportSize = Desktop.ViewportSize, BypassCSP = true });
        await AssertAccessibleAsync(alice, "the sign-in page");
        await SignInAsync(alice, "alice", LiveHelpHost.Password("alice"));
        await SetStatusAsync(alice, "online");
        await AssertAccessibleAsync(alice, "the empty console");

        var customer = await CustomerAsync(Help("Dana Scully"));
        await Expect(alice.Locator(".chat__name")).ToHaveTextAsync("Dana Scully");
        await customer.SayAsync("Hello!");
        await alice.Locator("#composer").FillAsync("Hi Dana, how can I help?");
        await alice.Locator("#composer").PressAsync("Enter");
        await alice.GetByRole(AriaRole.Button, new() { Name = "Internal note", Exact = true }).ClickAsync();
        await alice.Locator("#composer").FillAsync("Regular customer");
        await alice.Locator("#composer").PressAsync("Enter");
        await Expect(Log(alice).Locator(".msg--note")).ToHaveCountAsync(1);
        await AssertAccessibleAsync(alice, "the console with an open conversation");

        var second = await CustomerAsync(Help("Fox Mulder"));
        await Expect(alice.Locator("button.conv")).ToHaveCountAsync(2);
        await second.SayAsync("Anyone?");
        await Expect(ConversationItem(alice, "Fox Mulder").Locator(".count")).ToHaveTextAsync("2");
        await alice.Locator(".chat__actions").GetByRole(AriaRole.Button, new() { Name = "Transfer" }).ClickAsync();
        await Expect(alice.GetByRole(AriaRole.Dialog)).ToBeVisibleAsync();
        await AssertAccessibleAsync(alice, "the transfer dialog");
        await alice.Keyboard.PressAsync("Escape");

        var admin = await ConsoleAsync("admin", bypassCsp: true, path: "/console#/supervisor");
        await Expect(admin.Locator("section[aria-labelledby=progress-heading] tbody tr")).ToHaveCountAsync(2);
        await admin.Locator("section[aria-labelledby=progress-heading] tbody tr").First.GetByRole(AriaRole.Button).ClickAsync();
        await Expect(admin.Locator(".watch").GetByRole(AriaRole.Log)).ToContainTextAsync("Hello!");
        await AssertAccessibleAsync(admin, "the supervisor view");

        await admin.GetByRole(AriaRole.Link, new() { Name = "Admin" }).ClickAsync();
        await Expect(admin.Locator("section[aria-labelledby=admin-agents] tbody tr")).ToHaveCountAsync(2);
        await Expect(admin.Locator("section[aria-labelledby=admin-canned] .canned-edit__row")).ToHaveCountAsync(1);
        await AssertAccessibleAsync(admin, "the admin view");
    }
}

/// <summary>Console tests on a server whose offers lapse after three seconds.</summary>
public sealed class ConsoleTestsWithShortOffers(BrowserFixture fixture) : ConsoleTest(fixture)
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["LiveHelp:Routing:OfferTimeout"] = "00:00:03",
    };

    [Fact]
    public async Task A_missed_offer_shows_the_agent_away()
    {
        await Host.CreateAgentAsync("alice", ["general"]);
        var alice = await ConsoleAsync("alice");
        await SetStatusAsync(alice, "online");

        await CustomerAsync(Help("Walter Skinner"));
        await Expect(alice.Locator(".offer")).ToBeVisibleAsync();
        await Expect(alice.Locator(".offer")).ToHaveCountAsync(0, new() { Timeout = 15000 });

        await Expect(alice.Locator("#status")).ToHaveValueAsync("away");
        await Expect(alice.GetByRole(AriaRole.Alert).Filter(new() { HasTextString = "You missed an offer" })).ToBeVisibleAsync();
        await ScreenshotAsync(alice, "console-missed-offer");

        await alice.GetByRole(AriaRole.Button, new() { Name = "Go online" }).ClickAsync();
        await Expect(alice.Locator("#status")).ToHaveValueAsync("online");
        await Expect(alice.Locator(".app-banner")).ToBeHiddenAsync();
    }
}

/// <summary>Console tests that restart the server under a signed-in console.</summary>
public sealed class ConsoleTestsAcrossRestarts(BrowserFixture fixture) : ConsoleTest(fixture)
{
    // Clients dropped at shutdown reconnect at once to the stopping node, which then waits the whole shutdown timeout for them.
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["shutdownTimeoutSeconds"] = "2",
    };

    [Fact]
    public async Task The_console_shows_reconnecting_and_carries_on_after_a_server_restart_with_nothing_lost_or_doubled()
    {
        await Host.CreateAgentAsync("alice", ["general"], autoAccept: true);
        var alice = await ConsoleAsync("alice");
        await SetStatusAsync(alice, "online");
        var customer = await CustomerAsync(Help("Dana Scully"));
        await Expect(alice.Locator(".chat__name")).ToHaveTextAsync("Dana Scully");
        await customer.SayAsync("before the restart");
        await Expect(Log(alice).Locator(".msg--customer")).ToHaveCountAsync(2);
        await alice.EvaluateAsync(@"() => {
            window.__states = [];
            const conn = document.querySelector('.conn');
            new MutationObserver(() => window.__states.push(conn.textContent)).observe(conn, { childList: true, characterData: true, subtree: true });
        }");

        await Host.RestartAsync();
        await EventuallyAsync(() => customer.Client.State == LiveHelp.Client.HubConnectionState.Connected, "the customer to reconnect", 30000);
        await Expect(alice.Locator(".conn")).ToHaveTextAsync("Connected", new() { Timeout = 30000 });
        var states = await alice.EvaluateAsync<string[]>("() => window.__states");
        Assert.Contains("Reconnecting…", states);

        await customer.SayAsync("after the restart");
        await Expect(Log(alice).Locator(".msg--customer")).ToHaveCountAsync(3);
        await alice.Locator("#composer").FillAsync("Still here");
        await alice.Locator("#composer").PressAsync("Enter");
        await EventuallyAsync(() => customer.Received("Still here"), "the reply after the restart");
        var texts = await Log(alice).Locator(".msg--customer .msg__body, .msg--agent .msg__body").AllTextContentsAsync();
        Assert.Equal(["My order has not arrived", "before the restart", "after the restart", "Still here"], texts);
        await ScreenshotAsync(alice, "console-after-restart");
    }
}
