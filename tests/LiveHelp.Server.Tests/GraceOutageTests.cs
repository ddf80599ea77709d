using LiveHelp.Core;
using LiveHelp.Core.Contracts;
using Microsoft.Extensions.Logging;

namespace LiveHelp.Server.Tests;

/// <summary>An agent's grace period that ends while PostgreSQL is stopped: the customer must not stay with nobody.</summary>
public sealed class GraceOutageTests(StoppablePostgres postgres) : ServerTest, IClassFixture<StoppablePostgres>
{
    private static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(30);
    private readonly ManualClock _time = new(DateTimeOffset.UtcNow);
    private readonly LogCapture _logs = new();
    private string _database = "";

    protected override TimeProvider? Clock => _time;

    protected override ILoggerProvider? Logs => _logs;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ConnectionStrings:Postgres"] = _database,
        ["LiveHelp:Routing:AgentGracePeriod"] = "00:00:30",
        ["LiveHelp:ClockInterval"] = "00:00:00.1",
    };

    public override async Task InitializeAsync()
    {
        _database = await postgres.Server.CreateDatabaseAsync();
        await base.InitializeAsync();
    }

    [Fact]
    public async Task A_grace_period_ending_while_the_store_is_down_still_sends_the_customer_to_the_next_agent_once_it_is_back()
    {
        var ann = await AgentAsync("ann");
        var bob = await AgentAsync("bob", status: AgentStatus.Away);
        var (customer, _, id) = await ConversationAsync(ann);
        var bobOffers = new Inbox<OfferNotice>(h => bob.OfferReceived += h);
        var joined = new Inbox<AgentJoined>(h => customer.AgentJoined += h);
        await ann.StopAsync();
        await UntilAsync(async () => !(await ListedAgentAsync("ann")).Connected, "the server sees Ann gone");

        var failed = ClockFailures;
        await postgres.Server.StopAsync();
        try
        {
            // The grace period ends; the routing clock tries, against the stopped store (which it logs once), and runs a few more times.
            _time.Advance(GracePeriod + TimeSpan.FromSeconds(1));
            await UntilAsync(() => Task.FromResult(ClockFailures > failed), "the routing clock fails against the stopped store");
            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }
        finally
        {
            await postgres.Server.StartAgainAsync();
        }

        await EventuallyAsync(() => bob.SetStatusAsync(AgentStatus.Online));
        var offer = await bobOffers.NextAsync(o => o.ConversationId == id);
        await bob.AcceptOfferAsync(offer.ConversationId);
        Assert.Equal("Bob", (await joined.NextAsync(j => j.ConversationId == id)).AgentName);
    }

    private int ClockFailures => _logs.Entries.Count(e => e.Category.EndsWith("RoutingClock", StringComparison.Ordinal) && e.Level >= LogLevel.Warning);
}
