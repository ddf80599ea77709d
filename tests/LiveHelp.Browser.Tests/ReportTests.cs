using LiveHelp.Core.Conversations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace LiveHelp.Browser.Tests;

/// <summary>The console's Report view on the known set of <see cref="CustomerReportSeed"/>.</summary>
public sealed class ReportTests(BrowserFixture fixture) : ConsoleTest(fixture)
{
    [Fact]
    public async Task A_supervisor_sees_the_charts_and_the_top_phrase_and_opens_the_lowest_rated_transcript()
    {
        await CustomerReportSeed.SeedAsync(Host.Services.GetRequiredService<IConversationStore>());
        await Host.CreateAgentAsync("sam", [], role: "supervisor");
        var sam = await ConsoleAsync("sam", bypassCsp: true);

        await sam.GetByRole(AriaRole.Link, new() { Name = "Report" }).ClickAsync();
        await sam.Locator("#report-from").FillAsync(CustomerReportSeed.From);
        await sam.Locator("#report-to").FillAsync(CustomerReportSeed.To);
        await Expect(sam.Locator("#report-period")).ToHaveValueAsync("custom");
        await sam.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();

        await Expect(sam.Locator("#report-by-hour canvas")).ToBeVisibleAsync();
        await Expect(sam.Locator("#report-by-weekday canvas")).ToBeVisibleAsync();
        var shipping = sam.Locator(".report__topic[data-topic=shipping] .report__phrase").First;
        await Expect(shipping.Locator(".report__phrase-text")).ToHaveTextAsync(CustomerReportSeed.TopPhrase);
        await Expect(shipping.Locator(".report__count")).ToHaveTextAsync("3");
        await Expect(shipping.Locator(".report__trend")).ToHaveTextAsync("↑");

        await AssertAccessibleAsync(sam, "the report");

        var lowest = sam.Locator("#report-lowest-list li").First;
        await Expect(lowest).ToContainTextAsync(CustomerReportSeed.LowestRatedComment);
        await lowest.GetByRole(AriaRole.Button).ClickAsync();
        var dialog = sam.Locator("dialog[open]");
        await Expect(dialog.GetByRole(AriaRole.Log)).ToContainTextAsync("the tracking number not working at all");
    }

    [Fact]
    public async Task Agents_have_no_report_tab()
    {
        await Host.CreateAgentAsync("ann", ["general"]);
        var ann = await ConsoleAsync("ann");

        await Expect(ann.GetByRole(AriaRole.Link, new() { Name = "Conversations" })).ToBeVisibleAsync();
        await Expect(ann.GetByRole(AriaRole.Link, new() { Name = "Report" })).ToHaveCountAsync(0);
    }
}
