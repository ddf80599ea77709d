using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LiveHelp.Core;

namespace LiveHelp.Server.Tests;

public sealed class HistoryApiTests : ServerTest
{
    private sealed record Row(string Id, string? CustomerName, string Topic, string? AgentName, string Status, int? Rating, string? Snippet);

    private sealed record Page(List<Row> Items, string? Next);

    /// <summary>Ann helps a customer with a refund, then Bob one whose parcel is late; Sue supervises.</summary>
    private async Task<(string Refund, string Parcel)> TwoConversationsAsync()
    {
        var ann = await AgentAsync("ann");
        var (_, _, refund) = await ConversationAsync(ann, input: Help(details: "I would like a refund for my order") with { Name = "Rita" });
        await ann.AddNoteAsync(refund, "Checked the payment");
        await ann.SetStatusAsync(AgentStatus.Away);
        var bob = await AgentAsync("bob");
        var (_, _, parcel) = await ConversationAsync(bob, input: Help(details: "My parcel is late") with { Name = "Paul" });
        await Host.CreateAgentAsync("sue", ["supervision"], role: Roles.Supervisor);
        return (refund, parcel);
    }

    private async Task<HttpClient> HttpAsync(string username) =>
        Host.Http(await Host.SignInAsync(username, username == "admin" ? LiveHelpHost.AdminPassword : LiveHelpHost.Password(username)));

    private static async Task<List<string>> IdsAsync(HttpClient http, string query = "")
    {
        var page = await http.GetFromJsonAsync<Page>("/api/history" + query, Json.Options);
        return page!.Items.Select(r => r.Id).ToList();
    }

    [Fact]
    public async Task An_agent_sees_the_conversations_they_took_part_in_and_a_supervisor_sees_all()
    {
        var (refund, parcel) = await TwoConversationsAsync();
        using var ann = await HttpAsync("ann");
        using var bob = await HttpAsync("bob");
        using var sue = await HttpAsync("sue");

        Assert.Equal([refund], await IdsAsync(ann));
        Assert.Equal([parcel], await IdsAsync(bob));
        Assert.Equal([parcel, refund], await IdsAsync(sue));
        Assert.Empty(await IdsAsync(bob, "?q=refund"));
    }

    [Fact]
    public async Task A_supervisor_finds_the_refund_conversation_by_a_word_and_opens_its_transcript_with_the_note()
    {
        var (refund, _) = await TwoConversationsAsync();
        using var sue = await HttpAsync("sue");
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        var page = await sue.GetFromJsonAsync<Page>($"/api/history?q=refunds&from={today}&to={today}&status=active&mode=chat&topic=general", Json.Options);

        var row = Assert.Single(page!.Items);
        Assert.Equal((refund, "Rita", "general", "Ann", "active"), (row.Id, row.CustomerName, row.Topic, row.AgentName, row.Status));
        Assert.Contains("refund", row.Snippet, StringComparison.Ordinal);
        Assert.Null(page.Next);
        var transcript = await sue.GetStringAsync($"/api/conversations/{refund}/transcript");
        Assert.Contains("Checked the payment", transcript, StringComparison.Ordinal);
        Assert.Empty(await IdsAsync(sue, "?q=payment&agent=nobody"));
        Assert.Equal([refund], await IdsAsync(sue, "?q=payment"));
    }

    [Theory]
    [InlineData("?from=last-tuesday", "invalid_date")]
    [InlineData("?to=2025-13-01", "invalid_date")]
    [InlineData("?from=2025-03-14&to=2025-03-13", "invalid_date")]
    [InlineData("?limit=0", "invalid_limit")]
    [InlineData("?limit=201", "invalid_limit")]
    [InlineData("?limit=ten", "invalid_limit")]
    [InlineData("?status=open", "invalid_filter")]
    [InlineData("?mode=voice", "invalid_filter")]
    [InlineData("?mode=2", "invalid_filter")]
    [InlineData("?rating=6", "invalid_filter")]
    [InlineData("?topic=a&topic=b", "invalid_filter")]
    [InlineData("?cursor=yesterday", "invalid_cursor")]
    public async Task Bad_filters_are_refused_with_a_code(string query, string code)
    {
        await Host.CreateAgentAsync("sue", ["supervision"], role: Roles.Supervisor);
        using var sue = await HttpAsync("sue");

        foreach (var path in new[] { "/api/history", "/api/history.csv" })
        {
            var response = await sue.GetAsync(path + query);

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal(code, problem.RootElement.GetProperty("code").GetString());
        }
    }

    [Fact]
    public async Task Customers_and_strangers_get_no_history()
    {
        using var anonymous = Host.Http();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/history")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/history.csv")).StatusCode);
    }

    [Fact]
    public async Task Pages_follow_the_cursor_without_repeats()
    {
        var (refund, parcel) = await TwoConversationsAsync();
        using var sue = await HttpAsync("sue");

        var first = await sue.GetFromJsonAsync<Page>("/api/history?limit=1", Json.Options);
        var second = await sue.GetFromJsonAsync<Page>($"/api/history?limit=1&cursor={Uri.EscapeDataString(first!.Next!)}", Json.Options);

        Assert.Equal([parcel], first.Items.Select(r => r.Id));
        Assert.Equal([refund], second!.Items.Select(r => r.Id));
        Assert.Null(second.Next);
    }

    [Fact]
    public async Task The_csv_export_has_a_header_the_filtered_rows_and_no_formulas()
    {
        var ann = await AgentAsync("ann");
        var (_, _, formula) = await ConversationAsync(ann, input: Help(details: "refund please") with { Name = "=HYPERLINK(\"http://x\",\"y\")" });
        await ann.SetStatusAsync(AgentStatus.Away);
        var bob = await AgentAsync("bob");
        await ConversationAsync(bob, input: Help(details: "My parcel is late") with { Name = "Paul" });
        await Host.CreateAgentAsync("sue", ["supervision"], role: Roles.Supervisor);
        using var sue = await HttpAsync("sue");

        var response = await sue.GetAsync("/api/history.csv?q=refund");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Equal("id,started,closed,customer,topic,agent,status,mode,rating,snippet", lines[0]);
        Assert.StartsWith($"{formula},", lines[1], StringComparison.Ordinal);
        Assert.Contains(",\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",general,Ann,Active,Chat,,", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_agent_who_handed_a_conversation_on_still_finds_it_and_opens_its_transcript()
    {
        var ann = await AgentAsync("ann");
        var bob = await AgentAsync("bob");
        await bob.SetStatusAsync(AgentStatus.Away);
        var (_, _, id) = await ConversationAsync(ann, input: Help(details: "I need a refund"));
        await ann.SendMessageAsync(id, "Passing you to Bob, who handles refunds");
        await bob.SetStatusAsync(AgentStatus.Online);
        await ann.TransferAsync(id, new LiveHelp.Core.Contracts.TransferInput { ToAgentId = bob.AgentId, Note = "Refund approved" });
        using var annHttp = await HttpAsync("ann");

        Assert.Equal([id], await IdsAsync(annHttp, "?q=refund"));
        var row = (await annHttp.GetFromJsonAsync<Page>("/api/history", Json.Options))!.Items.Single();
        Assert.Equal("Bob", row.AgentName);
        var transcript = await annHttp.GetAsync($"/api/conversations/{id}/transcript");
        Assert.Equal(HttpStatusCode.OK, transcript.StatusCode);
        Assert.Contains("Passing you to Bob", await transcript.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
