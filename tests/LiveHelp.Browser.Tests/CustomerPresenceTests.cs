using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace LiveHelp.Browser.Tests;

/// <summary>The console's chat header says whether the customer is looking at the chat.</summary>
public sealed partial class CustomerPresenceTests(BrowserFixture fixture) : ConsoleTest(fixture)
{
    [Fact]
    public async Task The_console_shows_the_customer_away_since_their_tab_was_hidden_and_here_when_it_is_shown_again()
    {
        await Host.CreateAgentAsync("alice", ["billing"]);
        var alice = await ConsoleAsync("alice");
        await SetStatusAsync(alice, "online");
        var customer = await OpenAsync("/");
        await WidgetTestBase.StartChatAsync(customer, "billing", details: "Where is my parcel?", name: "Ada Lovelace");
        await alice.Locator(".offer").GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();
        var presence = alice.Locator(".chat__head .presence");
        await Expect(presence).ToHaveTextAsync("Here");

        await SetTabHiddenAsync(customer, true);
        await Expect(presence).ToHaveTextAsync(AwaySince());
        await ScreenshotAsync(alice, "presence-away-console");

        // The console reads it back after a reload.
        await alice.ReloadAsync();
        await Expect(alice.Locator(".chat__head .presence")).ToHaveTextAsync(AwaySince());

        await SetTabHiddenAsync(customer, false);
        await Expect(alice.Locator(".chat__head .presence")).ToHaveTextAsync("Here");
    }

    /// <summary>What the browser does when the customer switches to another tab and back.</summary>
    private static Task SetTabHiddenAsync(IPage page, bool hidden) => page.EvaluateAsync(@"hidden => {
        Object.defineProperty(document, 'visibilityState', { value: hidden ? 'hidden' : 'visible', configurable: true });
        Object.defineProperty(document, 'hidden', { value: hidden, configurable: true });
        document.dispatchEvent(new Event('visibilitychange'));
    }", hidden);

    [GeneratedRegex(@"^Away since \d{1,2}:\d\d")]
    private static partial Regex AwaySince();
}
