using Microsoft.Playwright;

namespace LiveHelp.Browser.Tests;

/// <summary>Web and mail addresses in messages are links on both sides; nothing else in a message ever becomes one.</summary>
public sealed class MessageLinkTests(BrowserFixture fixture) : ConsoleTest(fixture)
{
    private const string Tracking = "https://shop.example.com/track?id=42&lang=en";
    private const string Wiki = "https://en.wikipedia.org/wiki/Parcel_(package)";
    private const string Mail = "mailto:help@example.com";

    [Fact]
    public async Task Https_and_mailto_addresses_are_links_that_open_apart_from_the_page_and_other_text_stays_text()
    {
        await Host.CreateAgentAsync("alice", ["general"]);
        var alice = await ConsoleAsync("alice");
        await SetStatusAsync(alice, "online");
        await alice.Context.RouteAsync("https://shop.example.com/**", route => route.FulfillAsync(new() { ContentType = "text/html", Body = "<p>Tracking</p>" }));
        var customer = await OpenAsync("/");
        await WidgetTestBase.StartChatAsync(customer, "general", name: "Ada");
        await alice.Locator(".offer").GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();
        await Expect(alice.Locator(".chat__name")).ToHaveTextAsync("Ada");

        // A stop after an address ends the sentence; a bracket the address opened is part of it.
        var text = $"Tracking: {Tracking}. See also ({Wiki}) or write to {Mail}.";
        await WidgetTestBase.SendAsync(customer, text);
        var inWidget = customer.Locator(".msg.mine .bubble", new() { HasTextString = "Tracking:" });
        var inConsole = Log(alice).Locator(".msg--customer .msg__body", new() { HasTextString = "Tracking:" });
        foreach (var body in new[] { inWidget, inConsole })
        {
            await Expect(body).ToHaveTextAsync(text);
            await Expect(body.Locator("a")).ToHaveCountAsync(3);
            await ExpectLinkAsync(body.Locator("a").Nth(0), Tracking, Tracking);
            await ExpectLinkAsync(body.Locator("a").Nth(1), "https://en.wikipedia.org/wiki/Parcel_(package)", Wiki);
            await ExpectLinkAsync(body.Locator("a").Nth(2), Mail, Mail);
        }

        // Clicked, it opens in a tab of its own that cannot reach the console and is not told where it came from.
        var popup = await alice.RunAndWaitForPopupAsync(() => inConsole.Locator("a").First.ClickAsync());
        await popup.WaitForLoadStateAsync();
        Assert.Equal(Tracking, popup.Url);
        Assert.True(await popup.EvaluateAsync<bool>("() => window.opener === null && document.referrer === ''"), "the opened tab can reach the console or knows its address");

        // Other schemes, and text that looks like markup, stay as they were typed.
        const string hostile = "Try javascript:window.__xss=1 or <a href=\"javascript:window.__xss=2\">click me</a> or data:text/html,<b>hi</b> or http://plain.example.com";
        var composer = alice.Locator("#composer");
        await composer.FillAsync(hostile);
        await composer.PressAsync("Enter");
        var theirs = customer.Locator(".msg.theirs .bubble", new() { HasTextString = "click me" });
        var agents = Log(alice).Locator(".msg--agent .msg__body", new() { HasTextString = "click me" });
        foreach (var body in new[] { theirs, agents })
        {
            await Expect(body).ToHaveTextAsync(hostile);
            await Expect(body.Locator("a, b")).ToHaveCountAsync(0);
        }
        await theirs.ClickAsync();
        await agents.ClickAsync();
        Assert.False(await customer.EvaluateAsync<bool>("() => window.__xss !== undefined"));
        Assert.False(await alice.EvaluateAsync<bool>("() => window.__xss !== undefined"));
        await ScreenshotAsync(customer, "links-widget");
        await ScreenshotAsync(alice, "links-console");
    }

    private static async Task ExpectLinkAsync(ILocator link, string href, string text)
    {
        await Expect(link).ToHaveTextAsync(text);
        await Expect(link).ToHaveAttributeAsync("href", href);
        await Expect(link).ToHaveAttributeAsync("target", "_blank");
        await Expect(link).ToHaveAttributeAsync("rel", "noopener noreferrer");
    }
}
