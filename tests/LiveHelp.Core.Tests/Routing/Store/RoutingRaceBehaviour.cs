using System.Collections.Concurrent;
using LiveHelp.Core.Routing;

namespace LiveHelp.Core.Tests.Routing.Store;

/// <summary>
/// Several nodes, each with its own <see cref="Router"/>, race matches, accepts, claims, declines, lapses and
/// releases over one routing state; the invariants are checked while they race and whenever they pause.
/// A store runs it by saying what a node is: its own store instance on shared state, or one shared instance.
/// </summary>
public abstract class RoutingRaceBehaviour
{
    private const int NodeCount = 3;
    private const int Phases = 5;
    private const int Iterations = 30;

    private static readonly string[] Agents = Enumerable.Range(0, 8).Select(i => $"agent{i}").ToArray();

    /// <summary>The stores through which <paramref name="count"/> nodes see the one routing state.</summary>
    protected abstract Task<IReadOnlyList<IRoutingStore>> CreateNodesAsync(int count);

    private static int CapOf(int agent) => (agent % 3) + 1;

    private static string SkillsOf(int agent) => agent == 7 ? "tech" : agent % 2 == 0 ? "billing" : "billing,tech";

    [Fact]
    public async Task Many_matches_raced_from_several_nodes_never_assign_twice_overfill_an_agent_or_lose_a_conversation()
    {
        var race = await RoutingRace.StartAsync(await CreateNodesAsync(NodeCount));

        for (var phase = 0; phase < Phases; phase++)
        {
            for (var i = 0; i < 20; i++)
            {
                await race.EnqueueAsync(phase * 1000 + i);
            }
            var workers = new Func<int, Task>[]
            {
                race.MatchAsync, race.MatchAsync, race.MatchAsync,
                race.ClaimAsync, race.ClaimAsync, race.ClaimAsync,
                race.ReleaseAsync, race.ReleaseAsync,
                race.ExpireAsync, race.PresenceAsync, race.MoreRequestsAsync, race.WatchAsync,
            };
            await Race.RunAsync(workers.Length, async w =>
            {
                for (var i = 0; i < Iterations; i++)
                {
                    await workers[w]((phase * 100) + (w * 10) + i);
                }
                return true;
            });

            await race.CheckQuietAsync();
        }

        Assert.True(race.Wins > 50, $"only {race.Wins} wins while racing: the race did not race");

        await race.DrainAsync();
        await race.CheckQuietAsync();
        Assert.Empty(await race.Nodes[0].Store.ListQueueAsync());
        Assert.Equal(race.Enqueued.Keys.Order(StringComparer.Ordinal), race.Winners.Keys.Where(race.Enqueued.ContainsKey).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_request_claimed_from_every_node_at_once_is_won_exactly_once()
    {
        var nodes = await CreateNodesAsync(NodeCount);
        var first = nodes[0];
        foreach (var agent in Agents.Take(6))
        {
            await first.UpsertProfileAsync(new AgentProfile(agent, agent, ["billing"], 100, false));
            await first.SetStatusAsync(agent, AgentStatus.Online);
            await first.ConnectAsync(agent);
        }

        for (var round = 0; round < 30; round++)
        {
            var id = $"c{round}";
            await nodes[round % NodeCount].EnqueueAsync(new HelpRequest { Id = id, Skill = "billing", EnqueuedAt = ManualClock.DefaultStart });

            var results = await Race.RunAsync(12, i => nodes[i % NodeCount].TryClaimAsync(id, Agents[i % 6], requireOffer: false, ManualClock.DefaultStart));

            Assert.Single(results, won => won);
            Assert.Single(await nodes[(round + 1) % NodeCount].ListSeatsAsync(), s => s.Conversations.Contains(id));
        }
    }

    [Fact]
    public async Task Offers_claims_and_assignments_from_every_node_at_once_never_overfill_an_agent()
    {
        var nodes = await CreateNodesAsync(NodeCount);
        await nodes[0].UpsertProfileAsync(new AgentProfile("ann", "Ann", ["billing"], 3, false));
        await nodes[1].SetStatusAsync("ann", AgentStatus.Online);
        await nodes[2].ConnectAsync("ann");
        for (var i = 0; i < 12; i++)
        {
            await nodes[i % NodeCount].EnqueueAsync(new HelpRequest { Id = $"q{i}", Skill = "billing", EnqueuedAt = ManualClock.DefaultStart });
        }

        var results = await Race.RunAsync(36, async i => (i % 3) switch
        {
            0 => await nodes[i % NodeCount].TryOfferAsync($"q{i / 3}", "ann", ManualClock.DefaultStart.AddSeconds(20)) is not null,
            1 => await nodes[(i + 1) % NodeCount].TryClaimAsync($"q{i / 3}", "ann", requireOffer: false, ManualClock.DefaultStart),
            _ => await nodes[(i + 2) % NodeCount].TryAssignAsync($"t{i}", "ann", ManualClock.DefaultStart),
        });

        var seat = Expect.Found(await nodes[0].FindSeatAsync("ann"));
        Assert.Equal(3, results.Count(won => won));
        Assert.Equal(3, seat.Load);
        Assert.Equal((await nodes[1].ListOffersAsync()).Count, seat.PendingOffers);
    }

    private sealed class RoutingRace
    {
        private static readonly RoutingOptions Options = new()
        {
            // Long enough that no agent is lost: presence flickers, but every conversation stays where it was won.
            AgentGracePeriod = TimeSpan.FromDays(1),
        };

        private readonly ConcurrentDictionary<string, string> _held = new(StringComparer.Ordinal);
        private readonly ConcurrentQueue<string> _violations = new();
        private int _wins;
        private int _nextTransfer;

        private RoutingRace(IReadOnlyList<Router> nodes, ManualClock clock)
        {
            Nodes = nodes;
            Clock = clock;
        }

        public IReadOnlyList<Router> Nodes { get; }
        public ManualClock Clock { get; }
        public ConcurrentDictionary<string, bool> Enqueued { get; } = new(StringComparer.Ordinal);
        public ConcurrentDictionary<string, string> Winners { get; } = new(StringComparer.Ordinal);
        public int Wins => _wins;

        public static async Task<RoutingRace> StartAsync(IReadOnlyList<IRoutingStore> stores)
        {
            var clock = new ManualClock();
            var race = new RoutingRace(stores.Select(s => new Router(s, Options, clock)).ToList(), clock);
            for (var i = 0; i < Agents.Length; i++)
            {
                var store = stores[i % stores.Count];
                await store.UpsertProfileAsync(new AgentProfile(Agents[i], Agents[i], SkillsOf(i).Split(','), CapOf(i), AutoAccept: i % 4 == 0));
                await store.SetStatusAsync(Agents[i], AgentStatus.Online);
                await store.ConnectAsync(Agents[i]);
            }
            return race;
        }

        public async Task EnqueueAsync(int n)
        {
            var id = $"r{n}";
            Enqueued[id] = true;
            await Nodes[n % Nodes.Count].EnqueueAsync(id, n % 3 == 0 ? "tech" : "billing", n % 5 == 0 ? HelpMode.Mayday : HelpMode.Chat, Clock.GetUtcNow(), requeued: n % 7 == 0);
        }

        public async Task MatchAsync(int seed)
        {
            var random = new Random(seed);
            foreach (var e in await Node(random).MatchAsync())
            {
                switch (e)
                {
                    case RequestAssigned assigned:
                        Won(assigned.RequestId, assigned.AgentId);
                        break;
                    case OfferMade { Offer: var offer }:
                        var answer = random.Next(10);
                        if (answer < 6 && await Node(random).AcceptAsync(offer.RequestId, offer.AgentId, offer.AgentId))
                        {
                            Won(offer.RequestId, offer.AgentId);
                        }
                        else if (answer is >= 6 and < 8)
                        {
                            await Node(random).DeclineAsync(offer.RequestId, offer.AgentId);
                        }
                        break;
                }
            }
        }

        public async Task ClaimAsync(int seed)
        {
            var random = new Random(seed);
            var node = Node(random);
            var agent = Agents[random.Next(Agents.Length)];
            switch (random.Next(10))
            {
                case < 4:
                    if (await node.Store.ListQueueAsync() is { Count: > 0 } queue)
                    {
                        var request = queue[random.Next(queue.Count)];
                        if (await node.Store.TryClaimAsync(request.Id, agent, requireOffer: false, Clock.GetUtcNow()))
                        {
                            Won(request.Id, agent);
                        }
                    }
                    break;
                case < 8:
                    if (await node.Store.ListOffersAsync() is { Count: > 0 } offers)
                    {
                        var offer = offers[random.Next(offers.Count)];
                        // Mostly the holder accepting (racing the matcher's accept), sometimes someone else trying.
                        var claimer = random.Next(4) == 0 ? agent : offer.AgentId;
                        if (await node.AcceptAsync(offer.RequestId, claimer, claimer))
                        {
                            Won(offer.RequestId, claimer);
                        }
                    }
                    break;
                default:
                    var transfer = $"transfer{Interlocked.Increment(ref _nextTransfer)}";
                    if (await node.Store.TryAssignAsync(transfer, agent, Clock.GetUtcNow()))
                    {
                        Won(transfer, agent);
                    }
                    break;
            }
        }

        public async Task ReleaseAsync(int seed)
        {
            var random = new Random(seed);
            var held = _held.Keys.ToArray();
            if (held.Length > 0 && held[random.Next(held.Length)] is var id && _held.TryRemove(id, out var agent))
            {
                await Node(random).Store.ReleaseAsync(agent, id);
            }
        }

        public async Task ExpireAsync(int seed)
        {
            var random = new Random(seed);
            Clock.Advance(TimeSpan.FromSeconds(random.Next(0, 12)));
            foreach (var e in await Node(random).ExpireAsync())
            {
                if (e is AgentLost lost)
                {
                    _violations.Enqueue($"{lost.AgentId} was lost, though never away for the grace period");
                }
            }
        }

        public async Task PresenceAsync(int seed)
        {
            var random = new Random(seed);
            var node = Node(random);
            var agent = Agents[random.Next(Agents.Length)];
            var home = Nodes[Array.IndexOf(Agents, agent) % Nodes.Count].Store;
            switch (random.Next(4))
            {
                case 0:
                    await node.Store.SetStatusAsync(agent, AgentStatus.Away);
                    await node.Store.SetStatusAsync(agent, AgentStatus.Online);
                    break;
                case 1:
                    // A reconnect on the agent's node: a moment without any connection.
                    await home.DisconnectAsync(agent, Clock.GetUtcNow());
                    await home.ConnectAsync(agent);
                    break;
                default:
                    foreach (var seat in await node.Store.ListSeatsAsync())
                    {
                        if (seat.Status == AgentStatus.Away)
                        {
                            await node.Store.SetStatusAsync(seat.AgentId, AgentStatus.Online);
                        }
                    }
                    break;
            }
        }

        public Task MoreRequestsAsync(int seed) => EnqueueAsync(100_000 + seed);

        /// <summary>What must hold at every instant, checked on single reads while the others race.</summary>
        public async Task WatchAsync(int seed)
        {
            var seats = await Nodes[seed % Nodes.Count].Store.ListSeatsAsync();
            CheckSeats(seats);
        }

        /// <summary>With everyone paused, the whole state must add up.</summary>
        public async Task CheckQuietAsync()
        {
            Assert.Empty(_violations);
            var store = Nodes[1].Store;
            var seats = await store.ListSeatsAsync();
            var offers = await store.ListOffersAsync();
            var queued = (await store.ListQueueAsync()).Select(r => r.Id).ToHashSet(StringComparer.Ordinal);

            CheckSeats(seats);
            Assert.Empty(_violations);
            foreach (var seat in seats)
            {
                Assert.Equal(offers.Count(o => o.AgentId == seat.AgentId), seat.PendingOffers);
            }
            Assert.All(offers, o => Assert.Contains(o.RequestId, queued));
            Assert.DoesNotContain(queued, Winners.ContainsKey);

            var holders = seats.SelectMany(s => s.Conversations.Select(c => (Conversation: c, s.AgentId))).ToList();
            Assert.Equal(_held.OrderBy(h => h.Key, StringComparer.Ordinal).Select(h => (h.Key, h.Value)), holders.OrderBy(h => h.Conversation, StringComparer.Ordinal));
            // No conversation lost: every request is still queued or was won, never both.
            Assert.All(Enqueued.Keys, id => Assert.True(queued.Contains(id) ^ Winners.ContainsKey(id), id));
        }

        /// <summary>Lets time and the routers run until every request has been served.</summary>
        public async Task DrainAsync()
        {
            for (var round = 0; round < 100 && (await Nodes[0].Store.ListQueueAsync()).Count > 0; round++)
            {
                Clock.Advance(Options.PassOverPeriod + TimeSpan.FromSeconds(1));
                await Nodes[round % Nodes.Count].ExpireAsync();
                foreach (var agent in Agents)
                {
                    await Nodes[0].Store.SetStatusAsync(agent, AgentStatus.Online);
                }
                foreach (var e in await Nodes[(round + 1) % Nodes.Count].MatchAsync())
                {
                    if (e is RequestAssigned assigned)
                    {
                        Won(assigned.RequestId, assigned.AgentId);
                    }
                    else if (e is OfferMade { Offer: var offer } && await Nodes[(round + 2) % Nodes.Count].AcceptAsync(offer.RequestId, offer.AgentId, offer.AgentId))
                    {
                        Won(offer.RequestId, offer.AgentId);
                    }
                }
                foreach (var (id, agent) in _held.ToArray())
                {
                    _held.TryRemove(id, out _);
                    await Nodes[round % Nodes.Count].Store.ReleaseAsync(agent, id);
                }
            }
        }

        private Router Node(Random random) => Nodes[random.Next(Nodes.Count)];

        private void Won(string requestId, string agentId)
        {
            Interlocked.Increment(ref _wins);
            if (!Winners.TryAdd(requestId, agentId))
            {
                _violations.Enqueue($"{requestId} was assigned to {Winners[requestId]} and again to {agentId}");
            }
            _held[requestId] = agentId;
        }

        private void CheckSeats(IReadOnlyList<AgentSeat> seats)
        {
            var holder = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var seat in seats)
            {
                if (seat.Load > seat.Profile.MaxConcurrent || seat.PendingOffers < 0 || seat.Connections < 0)
                {
                    _violations.Enqueue($"{seat.AgentId} holds {seat.Conversations.Count} and {seat.PendingOffers} offers, cap {seat.Profile.MaxConcurrent}");
                }
                foreach (var conversation in seat.Conversations)
                {
                    if (!holder.TryAdd(conversation, seat.AgentId))
                    {
                        _violations.Enqueue($"{conversation} is held by {holder[conversation]} and {seat.AgentId} at once");
                    }
                }
            }
        }
    }
}
