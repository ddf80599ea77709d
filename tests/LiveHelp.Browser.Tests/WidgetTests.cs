using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LiveHelp.Core;
using LiveHelp.Core.Conversations;
using LiveHelp.Server.Tests;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LiveHelp.Browser.Tests;

/// <summary>The customer widget on the demo page (and on a foreign site), in Chromium, against a real server.</summary>
public sealed class WidgetTests(BrowserFixture fixture) : WidgetTestBase(fixture)
{
    private const string ImgPayload = "<img src=x onerror=window.__xss=1>";
    private const string TemplatePayload = "{{constructor.constructor('window.__xss=1')()}}";

    [Fact]
    public async Task Demo_page_flow_from_the_launcher_to_the_transcript()
    {
        await using var agent = await WidgetAgent.OnlineAsync(Host, "sam");
        var page = await OpenAsync("/");
        await page.WaitForFunctionAsync("() => !!window.LiveHelp");
        await page.EvaluateAsync("() => { window.__events = []; for (const e of ['open','close','queue','agentJoined','message','closed','state']) LiveHelp.on(e, () => window.__events.push(e)); }");
        await Expect(Launcher(page)).ToBeVisibleAsync();
        await ScreenshotAsync(page, "widget-1-launcher");

        await Launcher(page).ClickAsync();
        await Expect(Panel(page)).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Topic")).ToBeFocusedAsync();
        await ScreenshotAsync(page, "widget-2-prechat");
        await page.GetByLabel("Topic").SelectOptionAsync("billing");
        await page.GetByLabel("How can we help?").FillAsync("Order 1234 arrived damaged");
        await page.GetByLabel("Your name").FillAsync("Ada");
        await page.GetByLabel("Email").FillAsync("ada@example.com");
        await page.GetByRole(AriaRole.Button, new() { Name = "Start chat" }).ClickAsync();

        var offer = await agent.NextOfferAsync();
        Assert.Equal("billing", offer.Conversation.Topic);
        Assert.Equal("Order 1234 arrived damaged", offer.Conversation.PreQualification.Details);
        Assert.Equal("Ada", offer.Conversation.PreQualification.Name);
        Assert.Equal("ada@example.com", offer.Conversation.PreQualification.Email);
        Assert.StartsWith(Host.LocalhostUri.ToString(), offer.Conversation.PreQualification.PageUrl);
        var queue = page.GetByRole(AriaRole.Status).Filter(new() { HasTextString = "in line" });
        await Expect(queue).ToContainTextAsync("You're number 1 in line");
        await Expect(queue).ToContainTextAsync("Expected wait:");
        await ScreenshotAsync(page, "widget-3-queue");

        var id = (await agent.Client.AcceptOfferAsync(offer.ConversationId)).Id;
        await Expect(page.Locator(".card")).ToContainTextAsync("Sam");
        await Expect(Log(page)).ToContainTextAsync("Sam joined the conversation.");

        await SendAsync(page, "Hello, the box was crushed");
        var fromCustomer = await agent.MessageAsync("Hello, the box was crushed");
        Assert.Equal(MessageKind.Customer, fromCustomer.Kind);
        Assert.Equal("Ada", fromCustomer.SenderName);

        await page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true }).PressSequentiallyAsync("Pho");
        await agent.TypingAsync(true);
        await agent.Client.TypingAsync(id, true);
        await Expect(page.Locator(".typing")).ToHaveTextAsync("Sam is typing…");
        await agent.Client.SendMessageAsync(id, "Sorry to hear that, Ada! Could you send a photo?");
        await Expect(Bubbles(page, "Could you send a photo?")).ToHaveCountAsync(1);
        await Expect(page.Locator(".typing")).ToBeEmptyAsync();

        await agent.Client.MarkReadAsync(id, fromCustomer.Seq);
        await Expect(page.Locator(".msg.mine", new() { HasTextString = "the box was crushed" }).Locator(".receipt")).ToHaveTextAsync(" · Seen");
        await SendAsync(page, "Photo coming up");
        await agent.MessageAsync("Photo coming up");
        await ScreenshotAsync(page, "widget-4-chat");

        await agent.Client.CloseAsync(id);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "This chat has ended" })).ToBeVisibleAsync();
        await Expect(Log(page)).ToContainTextAsync("Sam closed the conversation.");
        await ScreenshotAsync(page, "widget-5-closed");
        await page.Locator("label[for=lh-star-5]").ClickAsync();
        await page.GetByLabel("Anything you'd like to add?").FillAsync("Quick and kind");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send feedback" }).ClickAsync();
        await Expect(page.GetByText("Thank you for your feedback!")).ToBeVisibleAsync();

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Download transcript" }).ClickAsync());
        var transcript = await File.ReadAllTextAsync(await download.PathAsync());
        Assert.Contains("Hello, the box was crushed", transcript);
        Assert.Contains("Sorry to hear that, Ada! Could you send a photo?", transcript);
        Assert.Contains("Photo coming up", transcript);
        Assert.Contains("Rating: 5/5 Quick and kind", transcript);
        await ScreenshotAsync(page, "widget-6-rated");

        await page.Keyboard.PressAsync("Escape");
        await Expect(Panel(page)).ToBeHiddenAsync();
        var events = await page.EvaluateAsync<string[]>("() => window.__events");
        foreach (var expected in new[] { "open", "queue", "agentJoined", "message", "closed", "state", "close" })
        {
            Assert.Contains(expected, events);
        }
    }

    [Fact]
    public async Task A_place_that_arrives_after_the_agent_joined_does_not_put_the_customer_back_in_line()
    {
        await using var agent = await WidgetAgent.OnlineAsync(Host, "sam");
        var page = await OpenAsync("/");
        // The hub's frames pass through as they are; the test can add frames of its own, as a late server would send them.
        IWebSocketRoute? toPage = null;
        string? joinedFrom = null;
        await page.RouteWebSocketAsync(new System.Text.RegularExpressions.Regex("/hub"), ws =>
        {
            toPage = ws;
            var server = ws.ConnectToServer();
            server.OnMessage(frame =>
            {
                foreach (var record in (frame.Text ?? "").Split('\u001e', StringSplitOptions.RemoveEmptyEntries))
                {
                    using var json = JsonDocument.Parse(record);
                    if (json.RootElement.TryGetProperty("target", out var target) && target.GetString() == "agentJoined")
                    {
                        joinedFrom = json.RootElement.GetProperty("arguments")[0].GetProperty("queuedSince").GetString();
                    }
                }
                if (frame.Text is { } text)
                {
                    ws.Send(text);
                }
                else
                {
                    ws.Send(frame.Binary!);
                }
            });
        });
        await Launcher(page).ClickAsync();
        await page.GetByLabel("Topic").SelectOptionAsync("billing");
        await page.GetByRole(AriaRole.Button, new() { Name = "Start chat" }).ClickAsync();
        var offer = await agent.NextOfferAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasTextString = "in line" })).ToContainTextAsync("You're number 1 in line");
        await agent.Client.AcceptOfferAsync(offer.ConversationId);
        await Expect(page.Locator(".card")).ToContainTextAsync("Sam");
        Assert.NotNull(joinedFrom);

        // A place from the stay in the queue Sam ended, then the agent typing: once that shows, the place was read too.
        var id = JsonSerializer.Serialize(offer.ConversationId);
        toPage!.Send($$"""{"type":1,"target":"queueUpdate","arguments":[{"conversationId":{{id}},"position":3,"estimatedWaitSeconds":120,"queuedSince":"{{joinedFrom}}"}]}""" + "\u001e");
        toPage.Send($$"""{"type":1,"target":"typing","arguments":[{"conversationId":{{id}},"role":"agent","name":"Sam","isTyping":true}]}""" + "\u001e");
        await Expect(page.Locator(".typing")).ToHaveTextAsync("Sam is typing…");

        await Expect(page.GetByText("in line")).ToHaveCountAsync(0);
        await Expect(page.Locator(".card")).ToContainTextAsync("Sam");
    }

    [Fact]
    public async Task Nobody_online_offers_the_message_form_and_an_agent_reads_it()
    {
        var page = await OpenAsync("/");
        await MessageLauncher(page).ClickAsync();
        await Expect(page.GetByText("No one is available right now")).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Your message")).ToBeFocusedAsync();
        await ScreenshotAsync(page, "widget-offline-form");
        await page.GetByLabel("Your message").FillAsync("Please call me back about order 77");
        await page.GetByLabel("Your name").FillAsync("Grace");
        await page.GetByLabel("Email").FillAsync("grace@example.com");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send message" }).ClickAsync();
        await Expect(page.GetByText("Thanks, your message has been sent.")).ToBeVisibleAsync();
        await Expect(page.GetByText("We'll reply to grace@example.com.")).ToBeVisibleAsync();

        await Host.CreateAgentAsync("sam", WidgetAgent.AllSkills);
        using var http = Host.Http(await Host.SignInAsync("sam", LiveHelpHost.Password("sam")));
        var messages = await http.GetFromJsonAsync<JsonElement>("/api/offline-messages");
        var left = Assert.Single(messages.EnumerateArray());
        Assert.Equal("Please call me back about order 77", left.GetProperty("text").GetString());
        Assert.Equal("Grace", left.GetProperty("name").GetString());
        Assert.Equal("grace@example.com", left.GetProperty("email").GetString());
    }

    [Fact]
    public async Task The_last_agent_leaving_before_the_request_turns_the_form_into_a_message()
    {
        await using var agent = await WidgetAgent.OnlineAsync(Host, "sam");
        var page = await OpenAsync("/");
        await Launcher(page).ClickAsync();
        await page.GetByLabel("Topic").SelectOptionAsync("technical");
        await page.GetByLabel("How can we help?").FillAsync("The app crashes on start");
        await agent.Client.SetStatusAsync(AgentStatus.Offline);
        await page.GetByRole(AriaRole.Button, new() { Name = "Start chat" }).ClickAsync();

        await Expect(page.GetByText("No one is available right now")).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Your message")).ToHaveValueAsync("The app crashes on start");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send message" }).ClickAsync();
        await Expect(page.GetByText("Thanks, your message has been sent.")).ToBeVisibleAsync();
        using var http = Host.Http(await Host.SignInAsync("sam", LiveHelpHost.Password("sam")));
        var left = Assert.Single((await http.GetFromJsonAsync<JsonElement>("/api/offline-messages")).EnumerateArray());
        Assert.Equal("technical", left.GetProperty("topic").GetString());
    }

    [Fact]
    public async Task A_reload_mid_conversation_restores_it_with_no_gap_and_no_duplicate()
    {
        await using var agent = await WidgetAgent.OnlineAsync(Host, "sam");
        var page = await OpenAsync("/");
        await StartChatAsync(page, "general", name: "Ada");
        var id = (await agent.AcceptNextAsync()).Id;
        await SendAsync(page, "First question");
        await agent.MessageAsync("First question");
        await agent.Client.SendMessageAsync(id, "First answer");
        await Expect(Bubbles(page, "First answer")).ToHaveCountAsync(1);
        var visitor = await page.EvaluateAsync<string>("key => JSON.parse(localStorage.getItem(key)).visitorId", "livehelp:" + Host.LocalhostUri.ToString().TrimEnd('/'));

        await page.ReloadAsync();
        await Expect(Panel(page)).ToBeVisibleAsync();
        await Expect(page.Locator(".card")).ToContainTextAsync("Sam");
        await Expect(Bubbles(page, "First question")).ToHaveCountAsync(1);
        await Expect(Bubbles(page, "First answer")).ToHaveCountAsync(1);
        await Expect(page.Locator(".msg.system", new() { HasTextString = "Sam joined" })).ToHaveCountAsync(1);
        Assert.Equal(visitor, await page.EvaluateAsync<string>("key => JSON.parse(localStorage.getItem(key)).visitorId", "livehelp:" + Host.LocalhostUri.ToString().TrimEnd('/')));

        await agent.Client.SendMessageAsync(id, "Welcome back");
        await Expect(Bubbles(page, "Welcome back")).ToHaveCountAsync(1);
        await SendAsync(page, "Thanks, still here");
        var last = await agent.MessageAsync("Thanks, still here");
        Assert.Equal(id, last.ConversationId);
        var shown = await page.Locator(".msg[data-seq]").EvaluateAllAsync<long[]>("els => els.map(e => Number(e.dataset.seq))");
        Assert.Equal(agent.Client.Transcript(id).Select(m => m.Seq).ToArray(), shown);
        await ScreenshotAsync(page, "widget-reloaded");

        // Reloaded with the panel closed: the launcher is back, and opening shows the same conversation.
        await page.Keyboard.PressAsync("Escape");
        await page.ReloadAsync();
        await Expect(Launcher(page)).ToBeVisibleAsync();
        await agent.Client.SendMessageAsync(id, "Are you there?");
        await Expect(page.Locator(".badge")).ToContainTextAsync("1");
        await Launcher(page).ClickAsync();
        await Expect(Bubbles(page, "Are you there?")).ToHaveCountAsync(1);
        await Expect(Bubbles(page, "First question")).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task A_network_cut_while_the_agent_writes_loses_nothing_and_shows_nothing_twice()
    {
        await using var agent = await WidgetAgent.OnlineAsync(Host, "sam");
        var page = await OpenAsync("/");
        await StartChatAsync(page, "general");
        var id = (await agent.AcceptNextAsync()).Id;
        await SendAsync(page, "Before the tunnel");
        await agent.MessageAsync("Before the tunnel");
        await page.EvaluateAsync("() => { window.__states = []; LiveHelp.on('state', s => window.__states.push(s)); }");

        await page.Context.SetOfflineAsync(true);
        await Expect(Banner(page)).ToContainTextAsync("You're offline");
        var composer = page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true });
        await composer.FillAsync("Written in the tunnel");
        await composer.PressAsync("Enter");
        for (var i = 1; i <= 5; i++)
        {
            await agent.Client.SendMessageAsync(id, $"Update {i} of 5");
        }
        await Expect(page.Locator(".msg.mine", new() { HasTextString = "Written in the tunnel" })).ToContainTextAsync("Sending…");
        await ScreenshotAsync(page, "widget-offline-banner");

        await page.Context.SetOfflineAsync(false);
        await Expect(Banner(page)).ToContainTextAsync("Connected again");
        for (var i = 1; i <= 5; i++)
        {
            await Expect(Bubbles(page, $"Update {i} of 5")).ToHaveCountAsync(1);
        }
        await Expect(page.Locator(".msg.mine[data-seq]", new() { HasTextString = "Written in the tunnel" })).ToHaveCountAsync(1);
        await agent.MessageAsync("Written in the tunnel");
        Assert.Single(agent.Messages, m => m.Text == "Written in the tunnel");

        var updates = (await page.Locator(".msg.theirs .bubble").AllInnerTextsAsync()).Where(t => t.StartsWith("Update ", StringComparison.Ordinal)).ToList();
        Assert.Equal(Enumerable.Range(1, 5).Select(i => $"Update {i} of 5"), updates);
        var seqs = await page.Locator(".msg[data-seq]").EvaluateAllAsync<long[]>("els => els.map(e => Number(e.dataset.seq))");
        Assert.Equal(seqs.Order().Distinct(), seqs);
        var states = await page.EvaluateAsync<string[]>("() => window.__states");
        Assert.Contains("reconnecting", states);
        Assert.Equal("connected", states[^1]);
    }

    [Fact]
    public async Task A_hub_connection_that_reaches_a_frozen_node_is_given_up_and_the_widget_connects_on_the_next()
    {
        // In front of the server, as a balancer: the first hub socket goes to a node that accepts it and never
        // answers; everything else reaches the server.
        var hubSockets = 0;
        await using var balancer = new FrozenNode(Host.BaseUri, holds: line => line.StartsWith("GET /hub", StringComparison.Ordinal) && ++hubSockets == 1);
        await using var context = await Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        page.PageError += (_, error) => PageErrors.Add(error);
        await page.GotoAsync(balancer.BaseUri.ToString());

        await MessageLauncher(page).ClickAsync();

        await Expect(page.GetByText("No one is available right now")).ToBeVisibleAsync();
        Assert.Equal(2, hubSockets);
    }

    [Fact]
    public async Task Untrusted_text_is_shown_as_text_everywhere_in_the_widget()
    {
        await using var agent = await WidgetAgent.OnlineAsync(Host, "sam");
        var page = await OpenAsync("/");
        await StartChatAsync(page, "general", details: ImgPayload + " " + TemplatePayload, name: ImgPayload, email: "x@example.com");
        var offer = await agent.NextOfferAsync();
        Assert.Equal(ImgPayload, offer.Conversation.PreQualification.Name);
        var id = (await agent.Client.AcceptOfferAsync(offer.ConversationId)).Id;

        // The question from the form is the first of the customer's own lines.
        await Expect(page.Locator(".msg.mine[data-seq] .bubble")).ToHaveTextAsync([ImgPayload + " " + TemplatePayload]);
        await SendAsync(page, ImgPayload);
        await SendAsync(page, TemplatePayload);
        await agent.Client.SendMessageAsync(id, ImgPayload);
        await agent.Client.SendMessageAsync(id, "Hello " + TemplatePayload);
        var theirs = page.Locator(".msg.theirs .bubble");
        await Expect(theirs.Filter(new() { HasTextString = "Hello {{constructor" })).ToHaveTextAsync("Hello " + TemplatePayload);
        await Expect(theirs.Filter(new() { HasTextString = "<img" })).ToHaveTextAsync(ImgPayload);
        await Expect(page.Locator(".msg.mine .bubble")).ToHaveTextAsync([ImgPayload + " " + TemplatePayload, ImgPayload, TemplatePayload]);
        await Expect(page.Locator("livehelp-widget img")).ToHaveCountAsync(0);

        await agent.Client.CloseAsync(id);
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Download transcript" }).ClickAsync());
        Assert.Contains(ImgPayload, await File.ReadAllTextAsync(await download.PathAsync()));
        await ScreenshotAsync(page, "widget-untrusted-text");
        Assert.False(await XssFiredAsync(page));
    }

    [Fact]
    public async Task A_site_that_is_not_allowed_is_refused_clearly_and_works_once_an_admin_allows_it()
    {
        // A *.localhost name is a secure context, which Chromium's local network access needs before a page of
        // another site may reach a server on loopback; a real customer's site reaches a public LiveHelp host.
        const string shop = "http://shop.localhost";
        var html = $"""
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head>
            <body><h1>Another shop</h1>
            <script src="{Host.LocalhostUri}livehelp.js" data-site="shop" async></script></body></html>
            """;
        var page = await OpenAsync("/healthz", new() { Permissions = ["local-network-access"] });
        await page.RouteAsync(shop + "/**", route => route.FulfillAsync(new() { Status = 200, ContentType = "text/html", Body = html }));
        await page.GotoAsync(shop + "/");
        await Launcher(page).ClickAsync();
        await Expect(page.GetByText("This site is not set up for LiveHelp yet")).ToBeVisibleAsync();
        await Expect(page.GetByText($"allow {shop}")).ToBeVisibleAsync();
        await ScreenshotAsync(page, "widget-refused");

        using (var admin = Host.Http(await Host.SignInAsync("admin", LiveHelpHost.AdminPassword)))
        {
            (await admin.PutAsJsonAsync("/api/settings/allowed-origins", new { origins = new[] { shop } })).EnsureSuccessStatusCode();
        }
        await using var agent = await WidgetAgent.OnlineAsync(Host, "sam");
        await page.ReloadAsync();
        await StartChatAsync(page, "general", details: "From the other shop");
        var offer = await agent.NextOfferAsync();
        Assert.Equal(shop + "/", offer.Conversation.PreQualification.PageUrl);
        var id = (await agent.Client.AcceptOfferAsync(offer.ConversationId)).Id;
        await SendAsync(page, "Hello across origins");
        await agent.MessageAsync("Hello across origins");
        await agent.Client.SendMessageAsync(id, "Hello back");
        await Expect(Bubbles(page, "Hello back")).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task Hostile_page_css_does_not_break_the_widget()
    {
        await using var agent = await WidgetAgent.OnlineAsync(Host, "sam");
        var page = await OpenAsync("/");
        await page.AddStyleTagAsync(new()
        {
            Content = """
                body * { display: none !important; }
                * { color: red !important; font: italic 40px/3 "Comic Sans MS", cursive !important; letter-spacing: 6px !important;
                    text-transform: uppercase !important; border: 4px dashed red !important; box-sizing: content-box !important; }
                div, button, livehelp-widget { position: static !important; transform: rotate(8deg) !important; filter: blur(3px) !important;
                    opacity: .2 !important; width: 10px !important; height: 10px !important; }
                """,
        });
        await Expect(Launcher(page)).ToBeVisibleAsync();
        var box = (await Launcher(page).BoundingBoxAsync())!;
        Assert.InRange(box.Height, 40, 60);
        Assert.InRange(box.X + box.Width, 1180, 1280 - 10);
        Assert.Equal("rgb(255, 255, 255)", await Launcher(page).EvaluateAsync<string>("e => getComputedStyle(e).color"));

        await Launcher(page).ClickAsync();
        await Expect(page.GetByLabel("Topic")).ToBeVisibleAsync();
        var panel = (await Panel(page).BoundingBoxAsync())!;
        Assert.Equal(360, panel.Width, 1);
        var title = page.Locator("#lh-title");
        Assert.Equal("16px", await title.EvaluateAsync<string>("e => getComputedStyle(e).fontSize"));
        Assert.Equal("none", await title.EvaluateAsync<string>("e => getComputedStyle(e).textTransform"));
        Assert.Equal("1", await Panel(page).EvaluateAsync<string>("e => getComputedStyle(e.getRootNode().host).opacity"));
        await page.GetByLabel("Topic").SelectOptionAsync("general");
        await page.GetByRole(AriaRole.Button, new() { Name = "Start chat" }).ClickAsync();
        await agent.AcceptNextAsync();
        await Expect(page.Locator(".card")).ToContainTextAsync("Sam");
        await SendAsync(page, "Still readable");
        await ScreenshotAsync(page, "widget-hostile-css");
    }

    [Fact]
    public async Task Keyboard_alone_goes_from_the_launcher_to_a_message_and_back()
    {
        await using var agent = await WidgetAgent.OnlineAsync(Host, "sam", autoAccept: true);
        var page = await OpenAsync("/");
        await Expect(Launcher(page)).ToBeVisibleAsync();
        for (var i = 0; i < 30 && !await LauncherFocusedAsync(page); i++)
        {
            await page.Keyboard.PressAsync("Tab");
        }
        Assert.True(await LauncherFocusedAsync(page), "Tab never reached the launcher");
        Assert.Contains("rgb(29, 79, 124)", await Launcher(page).EvaluateAsync<string>("e => getComputedStyle(e).boxShadow"));

        await page.Keyboard.PressAsync("Enter");
        var topic = page.GetByLabel("Topic");
        await Expect(topic).ToBeFocusedAsync();
        var start = page.GetByRole(AriaRole.Button, new() { Name = "Start chat" });
        for (var i = 0; i < 5 && !await start.EvaluateAsync<bool>("e => e.getRootNode().activeElement === e"); i++)
        {
            await page.Keyboard.PressAsync("Tab");
        }
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByText("Please choose a topic.")).ToBeVisibleAsync();
        await Expect(topic).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("ArrowDown");
        await Expect(topic).Not.ToHaveValueAsync("");
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.GetByLabel("How can we help?")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync("Only a keyboard here");
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.GetByLabel("Your name")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.GetByLabel("Email")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Start chat" })).ToBeFocusedAsync();
        await ScreenshotAsync(page, "widget-keyboard-focus");
        await page.Keyboard.PressAsync("Enter");

        var composer = page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true });
        await Expect(composer).ToBeFocusedAsync();
        await Expect(page.Locator(".card")).ToContainTextAsync("Sam");
        await page.Keyboard.TypeAsync("Typed without a mouse");
        await page.Keyboard.PressAsync("Enter");
        await agent.MessageAsync("Typed without a mouse");
        await Expect(composer).ToHaveValueAsync("");

        await page.Keyboard.PressAsync("Escape");
        await Expect(Panel(page)).ToBeHiddenAsync();
        Assert.True(await LauncherFocusedAsync(page), "focus did not return to the launcher");
        await page.Keyboard.PressAsync("Enter");
        await Expect(composer).ToBeFocusedAsync();
    }

    [Fact]
    public async Task Axe_finds_no_serious_problem_in_any_state_of_the_widget()
    {
        await using var agent = await WidgetAgent.OnlineAsync(Host, "sam");
        var page = await OpenAsync("/", AxeContext());
        await Expect(Launcher(page)).ToBeVisibleAsync();
        await AssertAccessibleAsync(page, "demo page with the launcher");

        await Launcher(page).ClickAsync();
        await Expect(page.GetByLabel("Topic")).ToBeVisibleAsync();
        await AssertAccessibleAsync(page, "pre-chat");
        await page.GetByRole(AriaRole.Button, new() { Name = "Start chat" }).ClickAsync();
        await Expect(page.GetByText("Please choose a topic.")).ToBeVisibleAsync();
        await AssertAccessibleAsync(page, "pre-chat with an error");

        await page.GetByLabel("Topic").SelectOptionAsync("general");
        await page.GetByRole(AriaRole.Button, new() { Name = "Start chat" }).ClickAsync();
        var offer = await agent.NextOfferAsync();
        await Expect(page.Locator(".card")).ToContainTextAsync("in line");
        await AssertAccessibleAsync(page, "queue");

        var id = (await agent.Client.AcceptOfferAsync(offer.ConversationId)).Id;
        await SendAsync(page, "Hello");
        await agent.Client.SendMessageAsync(id, "Hi, how can I help?");
        await agent.Client.TypingAsync(id, true);
        await Expect(page.Locator(".typing")).Not.ToBeEmptyAsync();
        await AssertAccessibleAsync(page, "chat");

        await agent.Client.CloseAsync(id);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "This chat has ended" })).ToBeVisibleAsync();
        await AssertAccessibleAsync(page, "closed, with the rating");
    }

    [Fact]
    public async Task On_a_phone_the_panel_fills_the_screen()
    {
        await using var agent = await WidgetAgent.OnlineAsync(Host, "sam");
        var page = await OpenAsync("/", new() { ViewportSize = new() { Width = 390, Height = 844 }, IsMobile = true, HasTouch = true });
        await ScreenshotAsync(page, "widget-phone-1-launcher");
        await StartChatAsync(page, "general");
        var id = (await agent.AcceptNextAsync()).Id;
        await SendAsync(page, "Hi from my phone");
        await agent.Client.SendMessageAsync(id, "Hello! I can see your order. It ships tomorrow morning.");
        await Expect(Bubbles(page, "ships tomorrow")).ToHaveCountAsync(1);
        var box = (await Panel(page).BoundingBoxAsync())!;
        Assert.Equal(390, box.Width, 1);
        Assert.Equal(844, box.Height, 1);
        await ScreenshotAsync(page, "widget-phone-2-chat");
    }

    [Fact]
    public async Task LiveHelp_mayday_asks_for_a_device_call_from_the_widget()
    {
        await using var agent = await WidgetAgent.OnlineAsync(Host, "sam");
        var page = await OpenAsync("/");
        await page.WaitForFunctionAsync("() => !!window.LiveHelp");
        await page.EvaluateAsync("() => LiveHelp.mayday({ model: 'Kiosk 3', os: 'KioskOS 5', app: '4.2', details: 'Printer jammed' })");

        var offer = await agent.NextOfferAsync();
        Assert.Equal(HelpMode.Mayday, offer.Conversation.Mode);
        Assert.Equal("device", offer.Conversation.Topic);
        Assert.Equal("Kiosk 3", offer.Conversation.PreQualification.DeviceModel);
        Assert.Equal("KioskOS 5", offer.Conversation.PreQualification.DeviceOs);
        Assert.Equal("4.2", offer.Conversation.PreQualification.AppVersion);
        Assert.Equal("Printer jammed", offer.Conversation.PreQualification.Details);
        await Expect(Panel(page)).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Agent video" })).ToBeVisibleAsync();
        await agent.Client.AcceptOfferAsync(offer.ConversationId);
        await Expect(page.Locator(".stage")).ToContainTextAsync("Sam");
        await ScreenshotAsync(page, "widget-mayday");
    }

    [Fact]
    public async Task Identify_makes_the_visitor_the_site_s_verified_user()
    {
        await using var agent = await WidgetAgent.OnlineAsync(Host, "sam");
        string secret;
        using (var admin = Host.Http(await Host.SignInAsync("admin", LiveHelpHost.AdminPassword)))
        {
            secret = (await admin.GetFromJsonAsync<JsonElement>("/api/settings/identity-secret")).GetProperty("secret").GetString()!;
        }
        var hash = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes("user-7")));
        var page = await OpenAsync("/");
        await page.WaitForFunctionAsync("() => !!window.LiveHelp");

        var refused = await page.EvaluateAsync<string>("() => LiveHelp.identify({ userId: 'user-7', userHash: 'not-the-hash' }).then(() => 'accepted', e => e.code)");
        Assert.Equal("identity_invalid", refused);
        var visitor = await page.EvaluateAsync<string>(
            "([id, hash]) => LiveHelp.identify({ userId: id, userHash: hash, name: 'Lin', email: 'lin@example.com' }).then(r => r.visitorId)", new[] { "user-7", hash });
        await Launcher(page).ClickAsync();
        await Expect(page.GetByLabel("Your name")).ToHaveValueAsync("Lin");
        await Expect(page.GetByLabel("Email")).ToHaveValueAsync("lin@example.com");
        await page.GetByLabel("Topic").SelectOptionAsync("general");
        await page.GetByRole(AriaRole.Button, new() { Name = "Start chat" }).ClickAsync();

        var offer = await agent.NextOfferAsync();
        Assert.Equal("user-7", offer.Conversation.VerifiedUserId);
        Assert.Equal(visitor, offer.Conversation.VisitorId);
        Assert.Equal("Lin", offer.Conversation.PreQualification.Name);
    }

    private static Task<bool> LauncherFocusedAsync(IPage page) => page.EvaluateAsync<bool>(
        "() => document.activeElement?.localName === 'livehelp-widget' && !!document.activeElement.shadowRoot.activeElement?.classList.contains('launcher')");
}
