using System.Net.Http.Json;
using System.Text.Json;
using LiveHelp.Core;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LiveHelp.Browser.Tests;

/// <summary>The widget says so when nobody can answer: while waiting in line, and on the launcher before anyone asks.</summary>
public sealed class HonestWaitingTests(BrowserFixture fixture) : WidgetTestBase(fixture)
{
    [Fact]
    public async Task A_waiting_customer_whose_last_agent_goes_offline_is_told_nobody_can_answer_leaves_a_message_and_keeps_their_place()
    {
        await using var agent = await WidgetAgent.OnlineAsync(Host, "sam");
        var page = await OpenAsync("/", AxeContext());
        await StartChatAsync(page, "billing", details: "My invoice is charged twice", name: "Ada", email: "ada@example.com");
        await agent.NextOfferAsync();
        var card = page.Locator(".card");
        await Expect(card).ToContainTextAsync("You're number 1 in line");

        await agent.Client.SetStatusAsync(AgentStatus.Offline);

        await Expect(card).ToContainTextAsync("Nobody can answer right now");
        await Expect(card).Not.ToContainTextAsync("number");
        await Expect(card).Not.ToContainTextAsync("Expected wait");
        await ScreenshotAsync(page, "widget-nobody-can-answer");
        await AssertAccessibleAsync(page, "nobody can answer");

        // The form can be left for the line, and opened again.
        await card.GetByRole(AriaRole.Button, new() { Name = "Leave a message" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Back to my place in line" }).ClickAsync();
        await Expect(card).ToContainTextAsync("Nobody can answer right now");
        await Expect(page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true })).ToHaveValueAsync("");
        await card.GetByRole(AriaRole.Button, new() { Name = "Leave a message" }).ClickAsync();
        await Expect(page.GetByLabel("Your message")).ToHaveValueAsync("My invoice is charged twice");
        await Expect(page.GetByLabel("Your name")).ToHaveValueAsync("Ada");
        await Expect(page.GetByLabel("Email")).ToHaveValueAsync("ada@example.com");
        await page.GetByLabel("Your message").FillAsync("My invoice is charged twice. Please refund one.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send message" }).ClickAsync();
        await Expect(page.GetByText("Thanks, your message has been sent.")).ToBeVisibleAsync();
        await Expect(page.GetByText("You keep your place in line")).ToBeVisibleAsync();
        using (var http = Host.Http(agent.Client.Token!))
        {
            var left = Assert.Single((await http.GetFromJsonAsync<JsonElement>("/api/offline-messages")).EnumerateArray());
            Assert.Equal("My invoice is charged twice. Please refund one.", left.GetProperty("text").GetString());
            Assert.Equal("billing", left.GetProperty("topic").GetString());
            Assert.Equal("ada@example.com", left.GetProperty("email").GetString());
        }

        // Sam is back: the customer is back in the conversation, in the place they kept.
        await agent.Client.SetStatusAsync(AgentStatus.Online);
        await Expect(card).ToContainTextAsync("You're number 1 in line");
        await Expect(card).ToContainTextAsync("Expected wait:");
        await Expect(Bubbles(page, "My invoice is charged twice")).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task The_launcher_offers_a_message_rather_than_a_chat_while_nobody_is_online()
    {
        var page = await OpenAsync("/");

        await Expect(MessageLauncher(page)).ToBeVisibleAsync();
        await Expect(Launcher(page)).ToHaveCountAsync(0);
        await ScreenshotAsync(page, "widget-launcher-nobody");
        await MessageLauncher(page).ClickAsync();
        await Expect(page.GetByText("No one is available right now")).ToBeVisibleAsync();

        await using var agent = await WidgetAgent.OnlineAsync(Host, "sam");
        await page.Keyboard.PressAsync("Escape");

        await Expect(Launcher(page)).ToBeVisibleAsync();
        await Expect(MessageLauncher(page)).ToHaveCountAsync(0);
    }
}
