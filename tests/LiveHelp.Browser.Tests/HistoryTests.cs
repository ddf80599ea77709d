using Microsoft.Playwright;

namespace LiveHelp.Browser.Tests;

public sealed class HistoryTests(BrowserFixture fixture) : ConsoleTest(fixture)
{
    [Fact]
    public async Task A_supervisor_searches_the_history_for_a_refund_opens_the_conversation_and_exports_the_list()
    {
        await Host.CreateAgentAsync("alice", ["general"], maxConcurrent: 3, autoAccept: true);
        await Host.CreateAgentAsync("sam", [], role: "supervisor");
        var alice = await ConsoleAsync("alice");
        await SetStatusAsync(alice, "online");
        var refund = await CustomerAsync(Help("Rita Hayworth", "I was charged twice and want my money back"));
        await Expect(alice.Locator(".chat__name")).ToHaveTextAsync("Rita Hayworth");
        await refund.SayAsync("Can I have a refund for the second payment?");
        var parcel = await CustomerAsync(Help("Paul Newman", "My parcel is late"));
        await parcel.SayAsync("It was due on Monday");
        await alice.Locator("#composer").FillAsync("I have started the refund, it takes three days.");
        await alice.Locator("#composer").PressAsync("Enter");
        await EventuallyAsync(() => refund.Received("I have started the refund, it takes three days."), "the agent's answer");

        var sam = await ConsoleAsync("sam", bypassCsp: true);
        await sam.GetByRole(AriaRole.Link, new() { Name = "History" }).ClickAsync();
        var rows = sam.Locator(".history tbody tr");
        await Expect(rows).ToHaveCountAsync(2);
        await sam.GetByRole(AriaRole.Searchbox).FillAsync("refund");
        await sam.GetByRole(AriaRole.Button, new() { Name = "Search", Exact = true }).ClickAsync();

        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.First).ToContainTextAsync("Rita Hayworth");
        await Expect(rows.First).ToContainTextAsync("Alice");
        await Expect(rows.First).ToContainTextAsync("refund");
        await AssertAccessibleAsync(sam, "the history view");

        await rows.First.GetByRole(AriaRole.Button, new() { Name = "Open the conversation with Rita Hayworth" }).ClickAsync();
        var dialog = sam.GetByRole(AriaRole.Dialog);
        await Expect(dialog).ToContainTextAsync("Rita Hayworth");
        await Expect(dialog.GetByRole(AriaRole.Log)).ToContainTextAsync("Can I have a refund for the second payment?");
        await Expect(dialog.GetByRole(AriaRole.Log)).ToContainTextAsync("I have started the refund, it takes three days.");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Close" }).First.ClickAsync();

        var download = await sam.RunAndWaitForDownloadAsync(() => sam.GetByRole(AriaRole.Button, new() { Name = "Export CSV" }).ClickAsync());
        var csv = await File.ReadAllTextAsync(await download.PathAsync());
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("id,started,", lines[0], StringComparison.Ordinal);
        Assert.StartsWith(refund.ConversationId + ",", lines[1], StringComparison.Ordinal);
        Assert.Empty(PageErrors);
    }
}
