using LiveHelp.Core.Calls;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LiveHelp.Browser.Tests;

/// <summary>A customer who is not looking (widget closed, tab in the background) hears a chime and sees the tab title flash.</summary>
public sealed class AlertTests(BrowserFixture fixture) : WidgetTestBase(fixture)
{
    private const string ShopTitle = "Northwind Outfitters: a LiveHelp demo shop";

    /// <summary>
    /// Counts the notes the page plays (window.__notes), and lets a test send the tab to the background and back
    /// (window.__setHidden), which headless Chromium cannot do by itself.
    /// </summary>
    private const string PageScript =
        """
        window.__notes = 0;
        const start = OscillatorNode.prototype.start;
        OscillatorNode.prototype.start = function (...args) { window.__notes++; return start.apply(this, args); };
        let hidden = false;
        Object.defineProperty(Document.prototype, 'visibilityState', { configurable: true, get: () => hidden ? 'hidden' : 'visible' });
        Object.defineProperty(Document.prototype, 'hidden', { configurable: true, get: () => hidden });
        window.__setHidden = (value) => { hidden = value; document.dispatchEvent(new Event('visibilitychange')); };
        """;

    private static Task<int> NotesAsync(IPage page) => page.EvaluateAsync<int>("() => window.__notes");

    private static Task ChimedAsync(IPage page, int after) => page.WaitForFunctionAsync("n => window.__notes > n", after);

    private async Task<(IPage Page, WidgetAgent Agent, string Id)> ChattingAsync()
    {
        var agent = await WidgetAgent.OnlineAsync(Host, "sam");
        var page = await OpenAsync("/", initScript: PageScript);
        await StartChatAsync(page, "general", name: "Ada");
        var id = (await agent.AcceptNextAsync()).Id;
        await Expect(page.Locator(".card")).ToContainTextAsync("Sam");
        return (page, agent, id);
    }

    [Fact]
    public async Task Agent_messages_to_a_closed_widget_flash_the_title_with_the_count_and_chime_only_once_the_page_had_a_gesture()
    {
        var (page, agent, id) = await ChattingAsync();
        await using var _ = agent;
        await Expect(page).ToHaveTitleAsync(ShopTitle);

        // A fresh page load with the widget closed: no gesture on this page yet, so the browser would refuse a sound.
        await page.Keyboard.PressAsync("Escape");
        await page.ReloadAsync();
        await Expect(Launcher(page)).ToBeVisibleAsync();
        await agent.Client.SendMessageAsync(id, "Are you still there?");
        await Expect(page).ToHaveTitleAsync("(1) New message");
        await Expect(page.Locator(".badge")).ToContainTextAsync("1");
        // It alternates with the page's own title.
        await Expect(page).ToHaveTitleAsync(ShopTitle);
        await agent.Client.SendMessageAsync(id, "I found your order");
        await Expect(page).ToHaveTitleAsync("(2) New messages");
        await Expect(page.Locator(".badge")).ToContainTextAsync("2");
        Assert.Equal(0, await NotesAsync(page));

        // A click on the page is a gesture: the next message chimes.
        await page.Locator("body").ClickAsync(new() { Position = new() { X = 5, Y = 5 } });
        Assert.Equal(0, await NotesAsync(page));
        await agent.Client.SendMessageAsync(id, "It ships tomorrow");
        await ChimedAsync(page, 0);
        await Expect(page).ToHaveTitleAsync("(3) New messages");
        await Expect(page.Locator(".badge")).ToContainTextAsync("3");

        // The page renames itself meanwhile: opening the widget leaves the page's newest title, and clears the count.
        await page.EvaluateAsync("() => { document.title = 'Checkout: Northwind Outfitters'; }");
        await Expect(page).ToHaveTitleAsync("(3) New messages");
        await Launcher(page).ClickAsync();
        await Expect(Bubbles(page, "It ships tomorrow")).ToHaveCountAsync(1);
        await Expect(page).ToHaveTitleAsync("Checkout: Northwind Outfitters");
        await Expect(page.Locator(".badge")).ToBeHiddenAsync();

        // Read, and looking: nothing flashes or chimes for the next one or for the customer's own.
        var notes = await NotesAsync(page);
        await SendAsync(page, "Great, thanks");
        await agent.Client.SendMessageAsync(id, "You're welcome");
        await Expect(Bubbles(page, "You're welcome")).ToHaveCountAsync(1);
        Assert.Equal(notes, await NotesAsync(page));
        Assert.Equal("Checkout: Northwind Outfitters", await page.TitleAsync());
    }

    [Fact]
    public async Task An_agent_message_while_the_tab_is_in_the_background_chimes_and_flashes_until_the_customer_comes_back_to_the_page_as_it_was()
    {
        var (page, agent, id) = await ChattingAsync();
        await using var _ = agent;

        // A page with no title of its own is left with none.
        await page.EvaluateAsync("() => document.querySelector('title').remove()");
        await page.EvaluateAsync("() => window.__setHidden(true)");
        await agent.Client.SendMessageAsync(id, "Here is the tracking link");
        await Expect(page).ToHaveTitleAsync("(1) New message");
        await ChimedAsync(page, 0);

        await page.EvaluateAsync("() => window.__setHidden(false)");
        await Expect(page).ToHaveTitleAsync("");
        Assert.False(await page.EvaluateAsync<bool>("() => !!document.querySelector('title')"));
        await Expect(Bubbles(page, "Here is the tracking link")).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task A_call_ringing_while_the_widget_is_closed_and_the_tab_hidden_chimes_and_flashes_until_the_customer_looks()
    {
        var (page, agent, id) = await ChattingAsync();
        await using var _ = agent;
        await page.Keyboard.PressAsync("Escape");
        await Expect(Launcher(page)).ToBeVisibleAsync();
        await page.EvaluateAsync("() => window.__setHidden(true)");

        await agent.Client.Calls.StartAsync(id, CallProfile.Voice);
        await Expect(page).ToHaveTitleAsync("Incoming call");
        await ChimedAsync(page, 0);
        // The panel opens for the call, but the customer is elsewhere until the tab comes back.
        await Expect(page.Locator(".callbar")).ToContainTextAsync("Sam is calling you");
        await Expect(page).ToHaveTitleAsync(ShopTitle);
        await Expect(page).ToHaveTitleAsync("Incoming call");

        await page.EvaluateAsync("() => window.__setHidden(false)");
        await Expect(page).ToHaveTitleAsync(ShopTitle);
        await Expect(page.Locator(".callbar")).ToContainTextAsync("Sam is calling you");
    }
}
