using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace LiveHelp.Browser.Tests;

/// <summary>What the customer typed in the pre-chat form opens the conversation, on both sides and in the transcript.</summary>
public sealed partial class FirstMessageTests(BrowserFixture fixture) : ConsoleTest(fixture)
{
    private const string Question = "I was charged twice for order 1234";

    [Fact]
    public async Task The_question_from_the_form_is_the_first_message_in_the_widget_the_console_and_the_transcript()
    {
        await Host.CreateAgentAsync("alice", ["billing"]);
        var alice = await ConsoleAsync("alice");
        await SetStatusAsync(alice, "online");

        var customer = await OpenAsync("/");
        await WidgetTestBase.StartChatAsync(customer, "billing", details: Question, name: "Ada Lovelace");

        // While waiting, the customer sees their question as their own first message, with its time.
        var mine = customer.Locator(".log .msg[data-seq]").First;
        await Expect(mine).ToHaveClassAsync(MineClass());
        await Expect(mine.Locator(".bubble")).ToHaveTextAsync(Question);
        await Expect(mine.Locator(".time")).ToHaveTextAsync(ClockTime());

        // The agent is offered it with the form, and the transcript opens with it; the pre-chat panel still shows it.
        var offer = alice.Locator(".offer");
        await Expect(offer).ToContainTextAsync(Question);
        await offer.GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();
        var opening = Log(alice).Locator(".msg").First;
        await Expect(opening).ToHaveClassAsync(CustomerClass());
        await Expect(opening.Locator(".msg__who")).ToHaveTextAsync("Ada Lovelace");
        await Expect(opening.Locator(".msg__body")).ToHaveTextAsync(Question);
        await Expect(opening.Locator("time")).ToHaveTextAsync(ClockTime());
        await Expect(Log(alice).Locator(".msg").Nth(1)).ToContainTextAsync("Alice joined the conversation.");
        await Expect(alice.Locator(".col--context")).ToContainTextAsync(Question);
        await Expect(customer.Locator(".log .msg[data-seq]").Nth(1)).ToContainTextAsync("Alice joined the conversation.");
        await Expect(customer.Locator(".msg.mine .bubble", new() { HasTextString = Question })).ToHaveCountAsync(1);
        await ScreenshotAsync(customer, "first-message-widget");
        await ScreenshotAsync(alice, "first-message-console");

        await alice.GetByRole(AriaRole.Button, new() { Name = "End chat" }).ClickAsync();
        await alice.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "End conversation" }).ClickAsync();
        await Expect(customer.GetByRole(AriaRole.Heading, new() { Name = "This chat has ended" })).ToBeVisibleAsync();
        var download = await customer.RunAndWaitForDownloadAsync(
            () => customer.GetByRole(AriaRole.Button, new() { Name = "Download transcript" }).ClickAsync());
        var lines = (await File.ReadAllLinesAsync(await download.PathAsync())).Where(l => l.StartsWith('[')).ToList();
        Assert.Matches(@"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\] Ada Lovelace \(customer\): " + Regex.Escape(Question) + "$", lines[0]);
        Assert.EndsWith("LiveHelp: Alice joined the conversation.", lines[1], StringComparison.Ordinal);
    }

    [GeneratedRegex(@"\bmine\b")]
    private static partial Regex MineClass();

    [GeneratedRegex(@"\bmsg--customer\b")]
    private static partial Regex CustomerClass();

    [GeneratedRegex(@"^\d{1,2}:\d\d")]
    private static partial Regex ClockTime();
}
