using LiveHelp.Core.Conversations;
using Microsoft.Playwright;

namespace LiveHelp.Browser.Tests;

/// <summary>
/// A pasted text longer than the message limit (LiveHelp:MaxMessageLength, 4,000 here) stays whole in the composers and
/// in the forms' long fields (pre-chat details, offline message, transfer note): each shows the count against the limit
/// and holds the send until the text is short enough.
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

    [Fact]
    public async Task The_widget_pre_chat_details_keep_a_pasted_text_over_the_limit_and_start_the_chat_once_shortened()
    {
        await using var agent = await WidgetAgent.OnlineAsync(Host, "sam");
        var page = await OpenAsync("/");
        await WidgetTestBase.Launcher(page).ClickAsync();
        await page.GetByLabel("Topic").SelectOptionAsync("general");
        var details = page.GetByLabel("How can we help?");
        var start = page.GetByRole(AriaRole.Button, new() { Name = "Start chat" });

        await PasteAsync(page, details, TooLong);

        await Expect(details).ToHaveValueAsync(TooLong);
        await Expect(page.Locator("#lh-details-count")).ToHaveTextAsync("4,120 / 4,000 · Too long to send");
        await Expect(details).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(start).ToBeDisabledAsync();
        await page.GetByLabel("Your name").PressAsync("Enter");
        await Expect(details).ToHaveValueAsync(TooLong);

        await details.FillAsync(Longest);
        await Expect(page.Locator("#lh-details-count")).ToHaveTextAsync("4,000 / 4,000");
        await start.ClickAsync();
        Assert.Equal(Longest, (await agent.NextOfferAsync()).Conversation.PreQualification.Details);
    }

    [Fact]
    public async Task The_widget_offline_message_keeps_a_pasted_text_over_the_limit_and_is_sent_once_shortened()
    {
        var page = await OpenAsync("/");
        await WidgetTestBase.MessageLauncher(page).ClickAsync();
        var text = page.GetByLabel("Your message");
        var send = page.GetByRole(AriaRole.Button, new() { Name = "Send message" });

        await PasteAsync(page, text, TooLong);

        await Expect(text).ToHaveValueAsync(TooLong);
        await Expect(page.Locator("#lh-off-text-count")).ToHaveTextAsync("4,120 / 4,000 · Too long to send");
        await Expect(text).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(send).ToBeDisabledAsync();

        await text.FillAsync(Longest);
        await Expect(send).ToBeEnabledAsync();
        await send.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Thanks, your message has been sent." })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task The_console_transfer_note_keeps_a_pasted_text_over_the_limit_and_transfers_once_shortened()
    {
        await Host.CreateAgentAsync("alice", ["general"]);
        var alice = await ConsoleAsync("alice");
        await SetStatusAsync(alice, "online");
        await CustomerAsync(Help("Dana Scully"));
        await alice.Locator(".offer").GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();
        await alice.Locator(".chat__actions").GetByRole(AriaRole.Button, new() { Name = "Transfer" }).ClickAsync();
        var transfer = alice.GetByRole(AriaRole.Dialog, new() { Name = "Transfer conversation" });
        await transfer.GetByRole(AriaRole.Radio, new() { Name = "A team (topic queue)" }).CheckAsync();
        var note = transfer.GetByLabel("Note for the next agent");
        var submit = transfer.GetByRole(AriaRole.Button, new() { Name = "Transfer", Exact = true });

        await PasteAsync(alice, note, TooLong);

        await Expect(note).ToHaveValueAsync(TooLong);
        await Expect(transfer.Locator(".field__count")).ToHaveTextAsync("4,120 / 4,000 · too long to send");
        await Expect(note).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(submit).ToBeDisabledAsync();

        await note.FillAsync(Longest);
        await Expect(submit).ToBeEnabledAsync();
        await submit.ClickAsync();
        await Expect(transfer).ToHaveCountAsync(0);
        await Expect(alice.Locator(".chat__banner")).ToContainTextAsync("Transferred");
    }

    /// <summary>Puts the text in at the caret as a paste does (an edit the browser makes, so a maxlength would cut it).</summary>
    private static async Task PasteAsync(IPage page, ILocator field, string text)
    {
        await field.FocusAsync();
        await page.Keyboard.InsertTextAsync(text);
    }
}
