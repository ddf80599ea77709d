using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LiveHelp.Browser.Tests;

/// <summary>
/// The widget on a server whose PostgreSQL restarts while the customer writes: the message waits as "Sending…" and
/// is tried again with the same client message id until the store is back, then shows once.
/// </summary>
public sealed class StoreRestartTests(BrowserFixture fixture, StoppablePostgres postgres)
    : WidgetTestBase(fixture), IClassFixture<StoppablePostgres>
{
    // Every SendMessage invocation the page puts on its WebSocket, as "clientMessageId|text".
    private const string RecordSends =
        """
        window.__sends = [];
        const send = WebSocket.prototype.send;
        WebSocket.prototype.send = function (data) {
          if (typeof data === 'string') {
            for (const record of data.split('\x1e')) {
              try {
                const m = JSON.parse(record);
                if (m.type === 1 && m.target === 'SendMessage') window.__sends.push(m.arguments[1] + '|' + m.arguments[2]);
              } catch { }
            }
          }
          return send.call(this, data);
        };
        """;

    private string _database = "";

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["ConnectionStrings:Postgres"] = _database };

    public override async Task InitializeAsync()
    {
        _database = await postgres.Server.CreateDatabaseAsync();
        await base.InitializeAsync();
    }

    [Fact]
    public async Task A_message_written_while_the_store_restarts_is_sent_once_it_is_back_with_the_same_id()
    {
        const string Text = "Sent while the database restarts";
        await using var agent = await WidgetAgent.OnlineAsync(Host, "sam");
        var page = await OpenAsync("/", initScript: RecordSends);
        await StartChatAsync(page);
        var id = (await agent.AcceptNextAsync()).Id;
        await Expect(Log(page)).ToContainTextAsync("Sam joined the conversation.");
        await SendAsync(page, "Before the restart");

        await postgres.Server.StopAsync();
        try
        {
            var composer = page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true });
            await composer.FillAsync(Text);
            await composer.PressAsync("Enter");
            var pending = page.Locator(".msg.mine", new() { HasTextString = Text });
            await Expect(pending.Locator(".time")).ToHaveTextAsync("Sending…");
            // Down for about 8 s, as a restart takes: the widget keeps trying and never says the message failed.
            for (var second = 0; second < 8; second++)
            {
                await Task.Delay(1000);
                await Expect(pending).Not.ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bfailed\b"), new() { Timeout = 100 });
            }
        }
        finally
        {
            await postgres.Server.StartAgainAsync();
        }

        await Expect(page.Locator(".msg.mine[data-seq] .bubble", new() { HasTextString = Text })).ToHaveCountAsync(1);
        await Expect(page.Locator(".msg.mine", new() { HasTextString = Text })).ToHaveCountAsync(1);
        var stored = await agent.MessageAsync(Text);
        var sends = (await page.EvaluateAsync<JsonElement>("() => window.__sends")).EnumerateArray()
            .Select(s => s.GetString()!).Where(s => s.EndsWith("|" + Text, StringComparison.Ordinal)).ToList();
        Assert.True(sends.Count >= 3, $"the widget tried {sends.Count} times");
        Assert.Equal([$"{stored.ClientMessageId}|{Text}"], sends.Distinct());
        Assert.Single((await agent.Client.ResumeAsync(id, 0)).Messages, m => m.Text == Text);
    }
}
