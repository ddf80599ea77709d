using LiveHelp.Core;
using Microsoft.Playwright;

namespace LiveHelp.Browser.Tests;

/// <summary>A returning visitor is not asked their name again, and the console calls them by it.</summary>
public sealed class RememberedVisitorTests(BrowserFixture fixture) : ConsoleTest(fixture)
{
    [Fact]
    public async Task A_returning_visitor_finds_their_name_and_email_filled_in_and_the_console_shows_their_name()
    {
        await using var sam = await WidgetAgent.OnlineAsync(Host, "sam");
        var customer = await OpenAsync("/");
        await WidgetTestBase.StartChatAsync(customer, "general", name: "Ada Lovelace", email: "ada@example.com");
        var first = (await sam.AcceptNextAsync()).Id;
        await sam.Client.CloseAsync(first);
        await Expect(customer.GetByRole(AriaRole.Heading, new() { Name = "This chat has ended" })).ToBeVisibleAsync();
        await sam.Client.SetStatusAsync(AgentStatus.Offline);

        await Host.CreateAgentAsync("alice", ["general"]);
        var alice = await ConsoleAsync("alice");
        await SetStatusAsync(alice, "online");

        // Back later (a reload): the new chat's form already holds what they gave last time.
        await customer.ReloadAsync();
        await WidgetTestBase.Launcher(customer).ClickAsync();
        await Expect(customer.GetByLabel("Your name")).ToHaveValueAsync("Ada Lovelace");
        await Expect(customer.GetByLabel("Email")).ToHaveValueAsync("ada@example.com");
        await ScreenshotAsync(customer, "remembered-prechat");
        await customer.GetByLabel("Topic").SelectOptionAsync("general");
        await customer.GetByRole(AriaRole.Button, new() { Name = "Start chat" }).ClickAsync();

        // The agent knows whom they are talking to: the offer, the list and the header name them.
        var offer = alice.Locator(".offer");
        await Expect(offer).ToContainTextAsync("Ada Lovelace");
        await Expect(offer).ToContainTextAsync("ada@example.com");
        await offer.GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();
        await Expect(alice.Locator("button.conv[aria-current=true] .conv__name")).ToHaveTextAsync("Ada Lovelace");
        await Expect(alice.Locator(".chat__name")).ToHaveTextAsync("Ada Lovelace");
        await ScreenshotAsync(alice, "remembered-console");
    }
}
