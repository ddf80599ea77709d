using LiveHelp.Core.Conversations;
using Microsoft.Playwright;

namespace LiveHelp.Browser.Tests;

/// <summary>
/// A pasted text longer than the message limit (LiveHelp:MaxMessageLength, 4,000 here) stays whole in the composer:
/// it shows the count against the limit and holds the send until the text is short enough.
/// </summary>
public sealed class LongMessageTests(BrowserFixture fixture) : ConsoleTest(fixture)
{
    private static readonly string TooLong = string.Concat(Enumerable.Repeat("0123456789", 412));
    private static readonly string Longest = TooLong[..4000];

    [Fact]
    public async Task The_widget_keeps_a_pasted_text_over_the_limit_shows_its_length_and_sends_it_once_shortened()
    {
        await using var agent = await WidgetAgent.OnlineAsync(Host, "sam");
        var page = await OpenAsync("/");
        await WidgetTestBase.StartChatAsync(page, "general");
        await agent.AcceptNextAsync();
        var composer = page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true });
        var send = page.Locator(".sendbtn");

        await PasteAsync(page, composer, TooLong);

        await Expect(composer).ToHaveValueAsync(TooLong);
        await Expect(page.Locator("#lh-composer-count")).ToContainTextAsync("4,120 / 4,000");
        await Expect(composer).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(send).ToBeDisabledAsync();
        await ScreenshotAsync(page, "widget-too-long");
        await composer.PressAsync("Enter");
        await Expect(composer).ToHaveValueAsync(TooLong);
        await Expect(page.Locator(".msg.mine")).ToHaveCountAsync(0);

        await composer.FillAsync(Longest);
        await Expect(page.Locator("#lh-composer-count")).ToHaveTextAsync("4,000 / 4,000");
        await Expect(send).ToBeEnabledAsync();
        await composer.PressAsync("Enter");
        Assert.Equal(MessageKind.Customer, (await agent.MessageAsync(Longest)).Kind);
        await Expect(composer).ToHaveValueAsync("");
    }

    [Fact]
    public async Task The_console_keeps_a_pasted_text_over_the_limit_shows_its_length_and_sends_it_once_shortened()
    {
        await Host.CreateAgentAsync("alice", ["general"]);
        var alice = await ConsoleAsync("alice");
        await SetStatusAsync(alice, "online");
        var customer = await CustomerAsync(Help("Dana Scully"));
        await alice.Locator(".offer").GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();
        var composer = alice.Locator("#composer");
        var send = alice.Locator(".composer__send");

        await PasteAsync(alice, composer, TooLong);

        await Expect(composer).ToHaveValueAsync(TooLong);
        await Expect(alice.Locator("#composer-count")).ToContainTextAsync("4,120 / 4,000");
        await Expect(composer).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(send).ToBeDisabledAsync();
        await ScreenshotAsync(alice, "console-too-long");
        await composer.PressAsync("Enter");
        await Expect(composer).ToHaveValueAsync(TooLong);
        await Expect(Log(alice).Locator(".msg--agent")).ToHaveCountAsync(0);

        await composer.FillAsync(Longest);
        await Expect(alice.Locator("#composer-count")).ToHaveTextAsync("4,000 / 4,000");
        await Expect(send).ToBeEnabledAsync();
        await composer.PressAsync("Enter");
        await EventuallyAsync(() => customer.Received(Longest), "the customer to get the 4,000-character reply");
        await Expect(composer).ToHaveValueAsync("");
    }

    /// <summary>Puts the text in at the caret as a paste does (an edit the browser makes, so a maxlength would cut it).</summary>
    private static async Task PasteAsync(IPage page, ILocator field, string text)
    {
        await field.FocusAsync();
        await page.Keyboard.InsertTextAsync(text);
    }
}
