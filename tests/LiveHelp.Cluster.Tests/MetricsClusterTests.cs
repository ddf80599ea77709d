using LiveHelp.Client;
using LiveHelp.Core;
using LiveHelp.Core.Contracts;

namespace LiveHelp.Cluster.Tests;

/// <summary>
/// An operator's Prometheus scrapes /metrics from each node: both show the one shared queue, and each counts the
/// presses, offers and joins that happened on it. Real server processes, so each node's numbers are its own.
/// </summary>
public sealed class MetricsClusterTests : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _clients = [];
    private Cluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await Cluster.StartAsync(nodes: 2, new Dictionary<string, string>
    {
        // The agent takes the offer when the test has read the queue; it must not lapse before.
        ["LiveHelp__Routing__OfferTimeout"] = "00:01:00",
    });

    public async Task DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }
        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task Both_nodes_report_the_same_queue_and_each_counts_what_happened_on_it()
    {
        var first = _cluster.Nodes[0];
        var second = _cluster.Nodes[1];
        await _cluster.CreateAgentAsync("ann", ["general"]);
        var agent = Track(await AgentClient.SignInAsync(second.Uri, "ann", "ann-password", Cluster.ClientOptions));
        var offers = System.Threading.Channels.Channel.CreateUnbounded<string>();
        agent.OfferReceived += (_, o) => offers.Writer.TryWrite(o.ConversationId);
        await agent.SetStatusAsync(AgentStatus.Online);
        using var onFirst = await _cluster.AdminAsync(first.Uri);
        using var onSecond = await _cluster.AdminAsync(second.Uri);

        var customer = Track(await CustomerClient.ConnectAsync(first.Uri, options: Cluster.ClientOptions));
        var id = (await customer.RequestHelpAsync(new RequestHelpInput { Topic = "general", Details = "Where is my order?" })).Conversation!.Id;
        Assert.Equal(id, await offers.Reader.ReadAsync());

        // The queue length is read from the shared store at most once a second on each node.
        await Cluster.WaitUntilAsync(async () =>
            Scrape.Total(await ScrapeAsync(onFirst), "livehelp_queue_length") == 1
            && Scrape.Total(await ScrapeAsync(onSecond), "livehelp_queue_length") == 1);
        var pressedFirst = await ScrapeAsync(onFirst);
        Assert.Equal(1, Scrape.Total(pressedFirst, "livehelp_presses_total"));
        Assert.Equal(1, Scrape.Total(pressedFirst, "livehelp_press_to_offer_duration_seconds_count"));
        Assert.Null(Scrape.Total(await ScrapeAsync(onSecond), "livehelp_presses_total"));

        await agent.AcceptOfferAsync(id);
        await Cluster.WaitUntilAsync(async () =>
            Scrape.Total(await ScrapeAsync(onFirst), "livehelp_queue_length") == 0
            && Scrape.Total(await ScrapeAsync(onSecond), "livehelp_queue_length") == 0);
        // The agent accepted on the second node: that node measured the wait from the press to the agent joining.
        Assert.Equal(1, Scrape.Total(await ScrapeAsync(onSecond), "livehelp_press_to_agent_duration_seconds_count"));
        Assert.Null(Scrape.Total(await ScrapeAsync(onFirst), "livehelp_press_to_agent_duration_seconds_count"));

        await customer.SendMessageAsync(id, "Hello?");
        await Cluster.WaitUntilAsync(async () => Scrape.Total(await ScrapeAsync(onFirst), "livehelp_messages_total") == 1);
        Assert.Equal(1, Scrape.Total(await ScrapeAsync(onFirst), "livehelp_connections"));
        Assert.Equal(1, Scrape.Total(await ScrapeAsync(onSecond), "livehelp_connections"));

        // Each node timed its own PostgreSQL calls and its Redis round trips (the readiness probe it passed to start).
        foreach (var scrape in new[] { await ScrapeAsync(onFirst), await ScrapeAsync(onSecond) })
        {
            Assert.True(Scrape.Total(scrape, "livehelp_store_duration_seconds_count", ("store", "postgresql")) > 0, scrape);
            Assert.True(Scrape.Total(scrape, "livehelp_redis_duration_seconds_count") > 0, scrape);
        }
    }

    private static async Task<string> ScrapeAsync(HttpClient http)
    {
        var response = await http.GetAsync("/metrics");
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    private T Track<T>(T client)
        where T : IAsyncDisposable
    {
        _clients.Add(client);
        return client;
    }
}
