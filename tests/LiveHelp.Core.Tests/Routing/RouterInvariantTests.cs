using LiveHelp.Core.Routing;

namespace LiveHelp.Core.Tests.Routing;

/// <summary>
/// Random sequences of what customers, agents and the clock do, with the routing invariants checked after every step.
/// A failing seed replays the same sequence.
/// </summary>
public sealed class RouterInvariantTests
{
    private static readonly string[] Skills = ["billing", "tech"];

    public static TheoryData<int> Seeds()
    {
        var seeds = new TheoryData<int>();
        for (var seed = 1; seed <= 40; seed++)
        {
            seeds.Add(seed);
        }
        return seeds;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task No_agent_ever_exceeds_their_cap_and_no_conversation_is_lost_or_doubled(int seed)
    {
        var random = new Random(seed);
        var options = new RoutingOptions
        {
            OfferTimeout = TimeSpan.FromSeconds(20),
            AgentGracePeriod = TimeSpan.FromSeconds(30),
            PassOverPeriod = TimeSpan.FromSeconds(40),
        };
        var h = new RoutingHarness(options);
        var agents = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var id = $"agent{i}";
            var skills = random.Next(3) switch { 0 => "billing", 1 => "tech", _ => "Billing,TECH" };
            await h.AddAgentAsync(id, skills, maxConcurrent: random.Next(1, 4), autoAccept: random.Next(4) == 0);
            agents.Add(id);
        }
        var skillOf = new Dictionary<string, string>(StringComparer.Ordinal);
        var live = new HashSet<string>(StringComparer.Ordinal);
        var ended = new HashSet<string>(StringComparer.Ordinal);
        var nextId = 0;

        for (var step = 0; step < 400; step++)
        {
            var action = random.Next(13);
            var context = $"seed {seed}, step {step}, action {action}";
            switch (action)
            {
                case 0 or 1:
                    {
                        var id = $"c{nextId++}";
                        skillOf[id] = Pick(random, Skills);
                        await h.Router.EnqueueAsync(
                            id, skillOf[id], random.Next(3) == 0 ? HelpMode.Mayday : HelpMode.Chat, h.Now, requeued: false);
                        live.Add(id);
                        break;
                    }
                case 2 or 3:
                    await h.Router.MatchAsync();
                    break;
                case 4:
                    {
                        var offers = await h.Store.ListOffersAsync();
                        if (offers.Count > 0)
                        {
                            var offer = Pick(random, offers);
                            var agent = random.Next(4) == 0 ? Pick(random, agents) : offer.AgentId;
                            var accepted = await h.Router.AcceptAsync(offer.RequestId, agent, agent);
                            Assert.True(accepted == (agent == offer.AgentId), context);
                            if (accepted)
                            {
                                Assert.Contains(offer.RequestId, (await h.SeatAsync(agent)).Conversations);
                            }
                        }
                        break;
                    }
                case 5:
                    {
                        var offers = await h.Store.ListOffersAsync();
                        if (offers.Count > 0)
                        {
                            var offer = Pick(random, offers);
                            Assert.Equal(offer, await h.Router.DeclineAsync(offer.RequestId, offer.AgentId));
                        }
                        break;
                    }
                case 6:
                    {
                        h.Clock.Advance(TimeSpan.FromSeconds(random.Next(0, 26)));
                        foreach (var lost in (await h.Router.ExpireAsync()).OfType<AgentLost>())
                        {
                            foreach (var id in lost.ConversationIds)
                            {
                                Assert.Contains(id, live);
                                await h.Router.EnqueueAsync(id, skillOf[id], HelpMode.Chat, h.Now, requeued: true);
                            }
                        }
                        break;
                    }
                case 7:
                    await h.Store.ConnectAsync(Pick(random, agents));
                    break;
                case 8:
                    {
                        var agent = Pick(random, agents);
                        if ((await h.SeatAsync(agent)).Connections > 0)
                        {
                            await h.Store.DisconnectAsync(agent, h.Now);
                        }
                        break;
                    }
                case 9:
                    await h.Store.SetStatusAsync(Pick(random, agents), Pick(random, Enum.GetValues<AgentStatus>()));
                    break;
                case 10:
                    {
                        var holders = await HeldAsync(h);
                        if (holders.Count > 0)
                        {
                            var (conversation, agent) = Pick(random, holders);
                            await h.Store.ReleaseAsync(agent, conversation);
                            live.Remove(conversation);
                            ended.Add(conversation);
                        }
                        break;
                    }
                case 11:
                    {
                        var queue = await h.Store.ListQueueAsync();
                        if (queue.Count > 0)
                        {
                            var request = Pick(random, queue);
                            var (removed, _) = await h.Store.TryDequeueAsync(request.Id);
                            Assert.True(removed, context);
                            live.Remove(request.Id);
                            ended.Add(request.Id);
                        }
                        break;
                    }
                default:
                    {
                        var holders = await HeldAsync(h);
                        if (holders.Count > 0)
                        {
                            var (conversation, from) = Pick(random, holders);
                            await h.Router.TransferAsync(conversation, from, Pick(random, agents));
                        }
                        break;
                    }
            }

            await AssertInvariantsAsync(h, live, ended, context);
        }
    }

    private static async Task AssertInvariantsAsync(RoutingHarness h, HashSet<string> live, HashSet<string> ended, string context)
    {
        var queue = await h.Store.ListQueueAsync();
        var seats = await h.Store.ListSeatsAsync();
        var offers = await h.Store.ListOffersAsync();
        var queued = queue.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);

        Assert.True(queued.Count == queue.Count, $"{context}: a request is queued twice");
        Assert.Equal(RoutingPolicy.QueueOrder(queue).Select(r => r.Id), queue.Select(r => r.Id));

        var holdersByConversation = seats.SelectMany(s => s.Conversations.Select(c => (Conversation: c, s.AgentId)))
            .GroupBy(x => x.Conversation, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(x => x.AgentId).ToList(), StringComparer.Ordinal);

        foreach (var (conversation, holders) in holdersByConversation)
        {
            Assert.True(holders.Count == 1, $"{context}: {conversation} is held by {string.Join(", ", holders)}");
            Assert.False(queued.Contains(conversation), $"{context}: {conversation} is both queued and held by {holders[0]}");
        }

        foreach (var conversation in live)
        {
            Assert.True(
                queued.Contains(conversation) || holdersByConversation.ContainsKey(conversation),
                $"{context}: {conversation} is neither queued nor held");
        }
        foreach (var conversation in ended)
        {
            Assert.False(
                queued.Contains(conversation) || holdersByConversation.ContainsKey(conversation),
                $"{context}: {conversation} ended but is still queued or held");
        }

        Assert.True(offers.Select(o => o.RequestId).Distinct().Count() == offers.Count, $"{context}: a request has two offers");
        foreach (var offer in offers)
        {
            Assert.True(queued.Contains(offer.RequestId), $"{context}: offer of {offer.RequestId} outlived its request");
        }

        foreach (var seat in seats)
        {
            Assert.True(
                seat.Load <= seat.Profile.MaxConcurrent,
                $"{context}: {seat.AgentId} has load {seat.Load} over cap {seat.Profile.MaxConcurrent}");
            Assert.True(
                seat.PendingOffers == offers.Count(o => o.AgentId == seat.AgentId),
                $"{context}: {seat.AgentId} counts {seat.PendingOffers} pending offers but {offers.Count(o => o.AgentId == seat.AgentId)} are listed");
            Assert.True(seat.Connections >= 0, context);
        }
    }

    private static async Task<List<(string Conversation, string AgentId)>> HeldAsync(RoutingHarness h) =>
        (await h.Store.ListSeatsAsync())
            .SelectMany(s => s.Conversations.Select(c => (c, s.AgentId)))
            .OrderBy(x => x.c, StringComparer.Ordinal)
            .ToList();

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];
}
