using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LiveHelp.Core;

namespace LiveHelp.Server.Tests;

/// <summary>
/// Who may read /metrics: supervisors, admins and configured networks. The numbers themselves are checked on real
/// server processes (MetricsClusterTests): servers sharing a test process would share OpenTelemetry's meter listeners.
/// </summary>
public sealed class MetricsTests : ServerTest
{
    [Fact]
    public async Task Metrics_are_refused_without_a_supervisor_token_and_served_with_one()
    {
        using var anonymous = Host.Http();
        var refused = await anonymous.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("unauthorized", await CodeOfAsync(refused));

        await Host.CreateAgentAsync("ann", ["general"]);
        using var agent = Host.Http(await Host.SignInAsync("ann", LiveHelpHost.Password("ann")));
        var forbidden = await agent.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal("forbidden", await CodeOfAsync(forbidden));

        await Host.CreateAgentAsync("sue", ["general"], role: Roles.Supervisor);
        using var supervisor = Host.Http(await Host.SignInAsync("sue", LiveHelpHost.Password("sue")));
        var served = await supervisor.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Contains("# TYPE livehelp_queue_length gauge", await served.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_press_shows_the_sqlite_store_latency()
    {
        await Host.CreateAgentAsync("sue", ["general"], role: Roles.Supervisor);
        using var supervisor = Host.Http(await Host.SignInAsync("sue", LiveHelpHost.Password("sue")));
        var customer = await CustomerAsync();
        await customer.RequestHelpAsync(Help());

        // Servers in one test process share the store's meter: only that SQLite calls were measured is this test's own.
        var scrape = await (await supervisor.GetAsync("/metrics")).Content.ReadAsStringAsync();
        Assert.True(Scrape.Total(scrape, "livehelp_store_duration_seconds_count", ("store", "sqlite")) > 0, scrape);
        Assert.Contains("# TYPE livehelp_store_duration_seconds histogram", scrape, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_configured_network_scrapes_without_a_token()
    {
        await using var open = await LiveHelpHost.StartAsync(new Dictionary<string, string?> { ["LiveHelp:Metrics:AllowedNetworks:0"] = "127.0.0.0/8" });
        await using var elsewhere = await LiveHelpHost.StartAsync(new Dictionary<string, string?> { ["LiveHelp:Metrics:AllowedNetworks:0"] = "10.0.0.0/8" });
        using var fromLoopback = open.Http();
        using var notListed = elsewhere.Http();

        Assert.Equal(HttpStatusCode.OK, (await fromLoopback.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await notListed.GetAsync("/metrics")).StatusCode);
    }

    [Fact]
    public async Task A_network_that_is_not_cidr_stops_the_start()
    {
        var e = await Assert.ThrowsAnyAsync<Exception>(() =>
            LiveHelpHost.StartAsync(new Dictionary<string, string?> { ["LiveHelp:Metrics:AllowedNetworks:0"] = "the office" }));
        Assert.Contains("AllowedNetworks", e.ToString(), StringComparison.Ordinal);
    }

    private static async Task<string?> CodeOfAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        return problem.GetProperty("code").GetString();
    }
}
