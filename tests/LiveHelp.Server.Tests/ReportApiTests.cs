using System.Net;
using System.Text.Json;
using LiveHelp.Core;
using LiveHelp.Core.Conversations;
using Microsoft.Extensions.DependencyInjection;

namespace LiveHelp.Server.Tests;

/// <summary>The customer report over HTTP, on the known set of <see cref="CustomerReportSeed"/>.</summary>
public sealed class ReportApiTests : ServerTest
{
    private const string Week = $"/api/reports/customers-saying?from={CustomerReportSeed.From}&to={CustomerReportSeed.To}";
    private const string WeekCsv = $"/api/reports/customers-saying.csv?from={CustomerReportSeed.From}&to={CustomerReportSeed.To}";

    private IConversationStore Store => Host.Services.GetRequiredService<IConversationStore>();

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await CustomerReportSeed.SeedAsync(Store);
    }

    private async Task<HttpClient> StaffAsync(string username, string role)
    {
        await Host.CreateAgentAsync(username, ["general"], role: role);
        return Host.Http(await Host.SignInAsync(username, LiveHelpHost.Password(username)));
    }

    [Fact]
    public async Task Agents_are_refused_with_forbidden_and_strangers_with_unauthorized()
    {
        using var ann = await StaffAsync("ann", Roles.Agent);
        using var stranger = Host.Http();

        Assert.Equal(ErrorCodes.Forbidden, await ProblemJson.CodeAsync(await ann.GetAsync(Week), HttpStatusCode.Forbidden));
        Assert.Equal(ErrorCodes.Forbidden, await ProblemJson.CodeAsync(await ann.GetAsync(WeekCsv), HttpStatusCode.Forbidden));
        Assert.Equal(ErrorCodes.Unauthorized, await ProblemJson.CodeAsync(await stranger.GetAsync(Week), HttpStatusCode.Unauthorized));
    }

    [Theory]
    [InlineData("", ErrorCodes.BadRange)]
    [InlineData("?from=2026-03-02", ErrorCodes.BadRange)]
    [InlineData("?from=2026-03-08&to=2026-03-02", ErrorCodes.BadRange)]
    [InlineData("?from=2026-02-30&to=2026-03-02", ErrorCodes.BadRange)]
    [InlineData("?from=2 March&to=2026-03-02", ErrorCodes.BadRange)]
    [InlineData("?from=2025-01-01&to=2026-03-02", ErrorCodes.BadRange)]
    [InlineData("?from=0001-01-01&to=0001-01-07", ErrorCodes.BadRange)]
    [InlineData("?from=2026-03-02&to=2026-03-08&tz=Mars/Olympus", ErrorCodes.BadTimeZone)]
    public async Task Bad_ranges_and_zones_are_refused_with_a_code(string query, string code)
    {
        using var sue = await StaffAsync("sue", Roles.Supervisor);

        Assert.Equal(code, await ProblemJson.CodeAsync(await sue.GetAsync("/api/reports/customers-saying" + query), HttpStatusCode.BadRequest));
        Assert.Equal(code, await ProblemJson.CodeAsync(await sue.GetAsync("/api/reports/customers-saying.csv" + query), HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task A_supervisor_gets_the_weeks_numbers_against_the_week_before()
    {
        using var sue = await StaffAsync("sue", Roles.Supervisor);

        var response = await sue.GetAsync(Week);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        Assert.Equal(("2026-02-23", "2026-03-01"), (root.GetProperty("previousPeriod").GetProperty("from").GetString(), root.GetProperty("previousPeriod").GetProperty("to").GetString()));
        var current = root.GetProperty("current");
        var overall = current.GetProperty("overall");
        Assert.Equal((9, 5, 1, 2), (overall.GetProperty("requests").GetInt32(), overall.GetProperty("answered").GetInt32(), overall.GetProperty("abandoned").GetInt32(), overall.GetProperty("offline").GetInt32()));
        Assert.Equal(2, root.GetProperty("previous").GetProperty("overall").GetProperty("requests").GetInt32());
        Assert.Equal(2, current.GetProperty("byHour")[9].GetInt32());
        Assert.Equal(2, current.GetProperty("byWeekday")[0].GetInt32());
        var wait = current.GetProperty("timeToHuman");
        Assert.Equal((30.0, 46.0, 49.6), (wait.GetProperty("p50").GetDouble(), wait.GetProperty("p90").GetDouble(), wait.GetProperty("p99").GetDouble()));
        Assert.Equal(250.0, current.GetProperty("handleTime").GetProperty("p50").GetDouble());
        Assert.Equal(3.0, current.GetProperty("csat").GetProperty("average").GetDouble());
        Assert.Equal([1, 1, 0, 1, 1], current.GetProperty("csat").GetProperty("distribution").EnumerateArray().Select(e => e.GetInt32()));
        var lowest = root.GetProperty("lowestRated")[0];
        Assert.Equal((CustomerReportSeed.LowestRatedId, 1, CustomerReportSeed.LowestRatedComment), (lowest.GetProperty("conversationId").GetString(), lowest.GetProperty("rating").GetInt32(), lowest.GetProperty("comment").GetString()));
    }

    [Fact]
    public async Task The_phrase_customers_say_more_this_week_ranks_top_for_its_topic_trending_up()
    {
        using var admin = await StaffAsync("ada", Roles.Admin);

        using var json = JsonDocument.Parse(await admin.GetStringAsync(Week + "&topic=shipping"));
        var phrases = json.RootElement.GetProperty("phrases");
        var top = phrases[0];
        Assert.Equal("shipping", top.GetProperty("topic").GetString());
        Assert.Equal(CustomerReportSeed.TopPhrase, top.GetProperty("phrase").GetString());
        Assert.Equal((3, 1, "up"), (top.GetProperty("count").GetInt32(), top.GetProperty("previousCount").GetInt32(), top.GetProperty("trend").GetString()));
        Assert.Equal(["c-ship-3", "c-ship-2", "c-ship-1"], top.GetProperty("examples").EnumerateArray().Select(e => e.GetString()));
        Assert.All(phrases.EnumerateArray(), p => Assert.Equal("shipping", p.GetProperty("topic").GetString()));
        Assert.Equal(5, json.RootElement.GetProperty("current").GetProperty("overall").GetProperty("requests").GetInt32());
    }

    [Fact]
    public async Task The_csv_carries_the_same_numbers()
    {
        using var sue = await StaffAsync("sue", Roles.Supervisor);

        var response = await sue.GetAsync(WeekCsv);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var rows = (await response.Content.ReadAsStringAsync()).Split("\r\n");
        Assert.Equal("section,topic,item,current,previous,note", rows[0]);
        Assert.Contains("volume,,requests,9,2,", rows);
        Assert.Contains("volume,,answered_share,0.5556,0.5,", rows);
        Assert.Contains("hour,,9,2,0,", rows);
        Assert.Contains("weekday,,Monday,2,0,", rows);
        Assert.Contains("time_to_human_seconds,,p90,46,60,", rows);
        Assert.Contains("csat,,average,3,3,", rows);
        Assert.Contains("volume,shipping,requests,5,2,", rows);
        Assert.Contains($"lowest_rated,shipping,{CustomerReportSeed.LowestRatedId},1,,{CustomerReportSeed.LowestRatedComment}", rows);
        Assert.Contains($"phrase,shipping,{CustomerReportSeed.TopPhrase},3,1,c-ship-3 c-ship-2 c-ship-1", rows);
    }

    [Fact]
    public async Task A_comment_a_spreadsheet_would_run_is_defused_in_the_csv()
    {
        await Store.AddConversationAsync(new Conversation
        {
            Id = "c-evil",
            VisitorId = "v-evil",
            Topic = "billing",
            Status = ConversationStatus.Closed,
            CreatedAt = new DateTimeOffset(2026, 4, 6, 12, 0, 0, TimeSpan.Zero),
            EnqueuedAt = new DateTimeOffset(2026, 4, 6, 12, 0, 0, TimeSpan.Zero),
            ClosedAt = new DateTimeOffset(2026, 4, 6, 12, 5, 0, TimeSpan.Zero),
            Rating = 1,
            RatingComment = "=HYPERLINK(\"http://x\",\"y\")",
        });
        using var sue = await StaffAsync("sue", Roles.Supervisor);

        var csv = await sue.GetStringAsync("/api/reports/customers-saying.csv?from=2026-04-06&to=2026-04-06");

        Assert.Contains("lowest_rated,billing,c-evil,1,,\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"\r\n", csv);
    }
}
