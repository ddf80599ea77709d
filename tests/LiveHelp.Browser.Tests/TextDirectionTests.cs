using System.Net.Http.Json;
using LiveHelp.Client;
using LiveHelp.Core;
using LiveHelp.Core.Contracts;
using LiveHelp.Server.Tests;
using Microsoft.Playwright;

namespace LiveHelp.Browser.Tests;

/// <summary>
/// Someone else's text is isolated from the text around it: a name ending in U+202E (right-to-left override) would
/// otherwise lay out whatever follows it on the line backwards, in the console and in the widget.
/// </summary>
public sealed class TextDirectionTests(BrowserFixture fixture) : ConsoleTest(fixture)
{
    private const string Override = "\u202E";

    [Fact]
    public async Task A_customer_name_ending_in_a_right_to_left_override_leaves_the_console_text_after_it_readable()
    {
        await Host.CreateAgentAsync("alice", ["general"]);
        var alice = await ConsoleAsync("alice");
        await SetStatusAsync(alice, "online");

        var customer = await CustomerAsync(Help("Eve" + Override) with { Email = "eve@example.com", DeviceModel = "Kindle" + Override });

        var offer = alice.Locator(".offer");
        await Expect(offer).ToContainTextAsync("eve@example.com");
        Assert.True(await ReadsLeftToRightAsync(offer, "eve@example.com"), "the email after the name on the offer card is laid out backwards");
        Assert.True(await ReadsLeftToRightAsync(offer, "Fire OS 8.3"), "the device line after the model on the offer card is laid out backwards");

        await offer.GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();
        // Typing is told to the agent who holds the conversation: the customer types once Alice has joined.
        await Expect(Log(alice)).ToContainTextAsync("Alice joined the conversation.");
        await customer.Client.TypingAsync(customer.ConversationId, true);
        var typing = alice.Locator(".col--chat .typing");
        await Expect(typing).ToContainTextAsync("is typing");
        Assert.True(await ReadsLeftToRightAsync(typing, "is typing"), "the typing line after the name is laid out backwards");
        await ScreenshotAsync(alice, "console-right-to-left-override");
    }

    [Fact]
    public async Task An_agent_name_ending_in_a_right_to_left_override_leaves_the_widget_text_after_it_readable()
    {
        var samId = await Host.CreateAgentAsync("sam", WidgetAgent.AllSkills);
        using (var admin = await AdminHttpAsync())
        {
            (await admin.PutAsJsonAsync($"/api/agents/{samId}", new { displayName = "Sam" + Override })).EnsureSuccessStatusCode();
        }
        await using var sam = await AgentClient.SignInAsync(Host.BaseUri, "sam", LiveHelpHost.Password("sam"));
        var offered = new TaskCompletionSource<OfferNotice>(TaskCreationOptions.RunContinuationsAsynchronously);
        sam.OfferReceived += (_, offer) => offered.TrySetResult(offer);
        await sam.SetStatusAsync(AgentStatus.Online);
        var page = await OpenAsync("/");
        await WidgetTestBase.StartChatAsync(page, "general");
        var id = (await sam.AcceptOfferAsync((await offered.Task.WaitAsync(WidgetAgent.Patience)).ConversationId)).Id;

        await sam.SendMessageAsync(id, "Hello, how can I help?");
        var meta = page.Locator(".msg.theirs .meta");
        await Expect(meta).ToContainTextAsync("Sam");
        var time = (await meta.TextContentAsync())!.Split(" · ")[^1];
        Assert.True(await ReadsLeftToRightAsync(meta, time), $"the time \"{time}\" after the agent's name is laid out backwards");

        await sam.TypingAsync(id, true);
        var typing = page.Locator(".typing");
        await Expect(typing).ToContainTextAsync("is typing");
        Assert.True(await ReadsLeftToRightAsync(typing, "is typing"), "the typing line after the agent's name is laid out backwards");

        await sam.CloseAsync(id);
        var byline = page.Locator(".closed .hint");
        await Expect(byline).ToContainTextAsync("ended the chat");
        Assert.True(await ReadsLeftToRightAsync(byline, "ended the chat"), "the closing line after the agent's name is laid out backwards");
        await ScreenshotAsync(page, "widget-right-to-left-override");
    }

    /// <summary>
    /// Whether <paramref name="text"/>, in one text node inside <paramref name="scope"/>, is laid out left to right:
    /// its first character drawn left of its last.
    /// </summary>
    private static Task<bool> ReadsLeftToRightAsync(ILocator scope, string text) =>
        scope.EvaluateAsync<bool>(
            """
            (root, text) => {
              const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
              for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                const at = node.data.indexOf(text);
                if (at < 0) continue;
                const left = (i) => {
                  const range = document.createRange();
                  range.setStart(node, i);
                  range.setEnd(node, i + 1);
                  return range.getBoundingClientRect().left;
                };
                return left(at) < left(at + text.length - 1);
              }
              throw new Error('no text node holds ' + text);
            }
            """,
            text);
}
