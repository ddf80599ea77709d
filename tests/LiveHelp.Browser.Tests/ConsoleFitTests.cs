using Microsoft.Playwright;

namespace LiveHelp.Browser.Tests;

/// <summary>The console on a phone-sized screen and with customer text far longer than usual; a rating the customer leaves.</summary>
public sealed class ConsoleFitTests(BrowserFixture fixture) : ConsoleTest(fixture)
{
    [Fact]
    public async Task At_phone_width_the_status_control_and_sign_out_are_on_screen_and_work()
    {
        await Host.CreateAgentAsync("alice", ["general"]);
        var page = await ConsoleAsync("alice");
        await page.SetViewportSizeAsync(390, 844);

        var status = page.Locator("#status");
        var signOut = page.GetByRole(AriaRole.Button, new() { Name = "Sign out" });
        await AssertOnScreenAsync(page, status, "the status control");
        await AssertOnScreenAsync(page, signOut, "Sign out");
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= innerWidth"), "the page scrolls sideways");
        await ScreenshotAsync(page, "console-phone");

        // Nothing covers them: a pointer reaches both.
        await status.ClickAsync(new() { Trial = true, Timeout = 5000 });
        await SetStatusAsync(page, "online");

        // The desk works on the phone too: take a request and answer it.
        var customer = await CustomerAsync(Help("Dana Scully"));
        await page.Locator(".offer").GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync(new() { Timeout = 5000 });
        await Expect(page.Locator(".chat__name")).ToHaveTextAsync("Dana Scully");
        await page.Locator("#composer").FillAsync("Hello from my phone");
        await page.Locator("#composer").PressAsync("Enter");
        await EventuallyAsync(() => customer.Received("Hello from my phone"), "the customer to get the reply");
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= innerWidth"), "the page scrolls sideways with a chat open");
        await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await ScreenshotAsync(page, "console-phone-chat");

        await AssertOnScreenAsync(page, signOut, "Sign out with a chat open");
        await signOut.ClickAsync(new() { Timeout = 5000 });
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.GetByLabel("Username")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task An_offer_for_a_customer_with_a_very_long_name_email_and_ids_keeps_Accept_on_screen()
    {
        await Host.CreateAgentAsync("alice", ["general"]);
        var page = await ConsoleAsync("alice");
        await SetStatusAsync(page, "online");
        // Unbroken text, the longest the server takes for each (a name at most 200 characters).
        var name = new string('N', 200);
        await CustomerAsync(Help("Dana") with
        {
            Name = name,
            Email = new string('e', 288) + "@example.com",
            OrderId = new string('7', 200),
            PageUrl = "https://shop.example.com/" + new string('p', 300),
            DeviceModel = new string('D', 200),
        });
        var offer = page.Locator(".offer");
        await Expect(offer).ToBeVisibleAsync();
        var accept = offer.GetByRole(AriaRole.Button, new() { Name = "Accept" });

        foreach (var (width, height) in new[] { (1440, 900), (390, 844) })
        {
            await page.SetViewportSizeAsync(width, height);
            await AssertOnScreenAsync(page, accept, $"Accept at {width}×{height}");
            await accept.ClickAsync(new() { Trial = true, Timeout = 5000 });
        }
        await ScreenshotAsync(page, "console-offer-long-names");

        await accept.ClickAsync(new() { Timeout = 5000 });
        await Expect(offer).ToHaveCountAsync(0);
        await Expect(page.Locator(".chat__name")).ToHaveTextAsync(name);
    }

    [Fact]
    public async Task The_agent_sees_the_customers_rating_and_comment_on_the_closed_conversation_and_later_among_earlier_conversations()
    {
        await Host.CreateAgentAsync("alice", ["general"]);
        var alice = await ConsoleAsync("alice");
        await SetStatusAsync(alice, "online");
        var customer = await CustomerAsync(Help("Dana Scully"));
        await alice.Locator(".offer").GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();
        await Expect(alice.Locator(".chat__name")).ToHaveTextAsync("Dana Scully");
        await customer.Client.CloseAsync(customer.ConversationId);
        var banner = alice.Locator(".chat__banner");
        await Expect(banner).ToContainTextAsync("The customer ended this conversation.");

        await customer.Client.RateAsync(customer.ConversationId, 4, "Patient and clear");

        await Expect(banner).ToContainTextAsync("Rated 4/5");
        await Expect(banner).ToContainTextAsync("Patient and clear");
        await ScreenshotAsync(alice, "console-rated");

        // She comes back with another question: her earlier conversation shows what she thought of it.
        await customer.Client.RequestHelpAsync(Help("Dana Scully", "About that order again"));
        await alice.Locator(".offer").GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();
        await Expect(alice.Locator(".col--context")).ToContainTextAsync("About that order again");
        var earlier = alice.Locator(".earlier__item");
        await Expect(earlier).ToHaveCountAsync(1);
        await Expect(earlier).ToContainTextAsync("Rated 4/5");
        await Expect(earlier).ToContainTextAsync("Patient and clear");
    }

    [Fact]
    public async Task A_supervisor_watching_a_conversation_sees_the_customers_rating_arrive()
    {
        await Host.CreateAgentAsync("alice", ["general"], autoAccept: true);
        await Host.CreateAgentAsync("sam", [], role: "supervisor");
        var alice = await ConsoleAsync("alice");
        await SetStatusAsync(alice, "online");
        var customer = await CustomerAsync(Help("Monica Reyes"));
        await Expect(alice.Locator(".chat__name")).ToHaveTextAsync("Monica Reyes");
        var sam = await ConsoleAsync("sam", path: "/console#/supervisor");
        await sam.Locator("section[aria-labelledby=progress-heading] tr", new() { HasTextString = "Monica Reyes" })
            .GetByRole(AriaRole.Button, new() { Name = "Watch" }).ClickAsync();
        var watch = sam.Locator(".watch");
        await Expect(watch.GetByRole(AriaRole.Log)).ToContainTextAsync("My order has not arrived");

        await customer.Client.CloseAsync(customer.ConversationId);
        await customer.Client.RateAsync(customer.ConversationId, 1, "Nobody read my question");

        await Expect(watch.Locator(".watch__status")).ToContainTextAsync("The customer ended this conversation.");
        await Expect(watch.Locator(".watch__status")).ToContainTextAsync("Rated 1/5");
        await Expect(watch.Locator(".watch__status")).ToContainTextAsync("Nobody read my question");
    }
}

/// <summary>The chat beside a call on a laptop-sized screen.</summary>
public sealed class ConsoleCallFitTests(BrowserFixture fixture) : CallTest(fixture)
{
    [Fact]
    public async Task During_a_mayday_call_at_1280_by_900_the_chat_log_and_composer_stay_on_screen()
    {
        var console = await AgentConsoleAsync();
        await console.SetViewportSizeAsync(1280, 900);
        var customer = await MaydayAsync(console);
        await CallProbe.WaitForFramesAsync(SharedScreen(console));
        await Expect(console.Locator(".call__state")).ToContainTextAsync("Connected");
        await WidgetTestBase.SendAsync(customer, "Can you see my screen?");
        await Expect(Log(console).Locator(".msg--customer").Last).ToContainTextAsync("Can you see my screen?");
        await ScreenshotAsync(console, "call-console-1280x900");

        var log = await Log(console).BoundingBoxAsync() ?? throw new InvalidOperationException("no chat log");
        Assert.True(log.Height >= 180, $"the chat log is {log.Height} px high during the call");
        await AssertOnScreenAsync(console, Log(console), "the chat log");
        await AssertOnScreenAsync(console, console.Locator("#composer"), "the composer");
        await console.Locator("#composer").FillAsync("Yes, I can see it.");
        await console.Locator("#composer").PressAsync("Enter");
        await Expect(WidgetTestBase.Bubbles(customer, "Yes, I can see it.")).ToHaveCountAsync(1);
    }
}
