using LiveHelp.Core.Routing;
using LiveHelp.Core.Tests.Routing.Store;

namespace LiveHelp.Core.Tests.Routing;

/// <summary>A router over an in-memory store, driven by a manual clock.</summary>
internal sealed class RoutingHarness
{
    public RoutingHarness(RoutingOptions? options = null)
    {
        Options = options ?? new RoutingOptions();
        Router = new Router(Store, Options, Clock);
    }

    public ManualClock Clock { get; } = new();
    public InMemoryRoutingStore Store { get; } = new();
    public RoutingOptions Options { get; }
    public Router Router { get; }
    public DateTimeOffset Now => Clock.GetUtcNow();

    /// <summary>Adds an agent; <paramref name="skills"/> is a comma-separated list.</summary>
    public async Task AddAgentAsync(
        string agentId,
        string skills = "billing",
        int maxConcurrent = 1,
        bool autoAccept = false,
        AgentStatus status = AgentStatus.Online,
        bool connected = true)
    {
        await Store.UpsertProfileAsync(new AgentProfile(agentId, agentId, skills.Split(','), maxConcurrent, autoAccept));
        await Store.SetStatusAsync(agentId, status);
        if (connected)
        {
            await Store.ConnectAsync(agentId);
        }
    }

    public Task RequestAsync(string conversationId, string skill = "billing", HelpMode mode = HelpMode.Chat, bool requeued = false) =>
        Router.EnqueueAsync(conversationId, skill, mode, Now, requeued);

    public async Task<AgentSeat> SeatAsync(string agentId) => Expect.Found(await Store.FindSeatAsync(agentId));

    public async Task<IReadOnlyList<string>> QueueIdsAsync() => (await Store.ListQueueAsync()).Select(r => r.Id).ToList();

    /// <summary>Makes the request the agent's: offered and accepted, or claimed directly for auto-accepting agents.</summary>
    public async Task GiveAsync(string conversationId, string agentId)
    {
        var events = await Router.MatchAsync();
        if (events.Contains(new RequestAssigned(conversationId, agentId)))
        {
            return;
        }
        Assert.Contains(events, e => e is OfferMade { Offer: var o } && o.RequestId == conversationId && o.AgentId == agentId);
        Assert.True(await Router.AcceptAsync(conversationId, agentId, agentId));
    }

    public static IReadOnlyList<(string RequestId, string AgentId)> Offers(IEnumerable<RoutingEvent> events) =>
        events.OfType<OfferMade>().Select(e => (e.Offer.RequestId, e.Offer.AgentId)).ToList();
}
