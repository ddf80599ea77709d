using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using LiveHelp.Client;
using LiveHelp.Core;
using LiveHelp.Core.Contracts;
using LiveHelp.Testing;

namespace LiveHelp.Benchmarks.Scenarios;

/// <summary>
/// Customers press help at a steady rate; agents accept each offer at once and close the conversation, so capacity
/// never runs out. Measured: press → offer at the agent, and press → the customer told who joined.
/// </summary>
internal static class HelpStorm
{
    private const int Agents = 10;
    private const int AgentCap = 50;
    private const string StampPrefix = "pressed at ";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static async Task<Section> RunAsync(BenchOptions options, CancellationToken ct)
    {
        var section = new Section("Help storm: time to agent");
        var rates = options.Smoke ? new[] { 50 } : [50, 200, 500];
        var duration = options.Smoke ? TimeSpan.FromSeconds(2) : TimeSpan.FromSeconds(10);
        var table = section.Table(
            "Deployment", "presses/s", "presses", "press → offer p50 / p95 / p99 / max (ms)", "press → accept answered p50 / p99 (ms)",
            "press → agent joined p50 / p95 / p99 / max (ms)",
            "offer p99 × floor p99", "target (p99 at 200/s)");
        var floors = new List<string>();
        foreach (var nodes in options.Nodes is { } only ? [only] : new[] { 1, 2 })
        {
            await using var deployment = await Deployment.StartAsync(nodes, Bench.Settings);
            await using var ownRedis = deployment.Redis is null ? await RedisServer.StartAsync() : null;
            var floor = await Floors.RedisRoundTripAsync(deployment.Redis ?? ownRedis!, options.Smoke ? 500 : 5000);
            floors.Add($"{deployment.Name}: Redis round trip p50 {floor.P50:0.000} ms, p99 {floor.P99:0.000} ms");
            var desk = await Desk.OpenAsync(deployment, ct);
            foreach (var rate in rates)
            {
                ct.ThrowIfCancellationRequested();
                var (offers, accepts, joins, presses, joined) = await StormAsync(deployment, desk, rate, duration, ct);
                Console.WriteLine($"   {deployment.Name}, {rate}/s: offer p99 {offers.P99:0.0} ms, accept answered p99 {accepts.P99:0.0} ms, joined p99 {joins.P99:0.0} ms, {joined} of {presses} joined");
                var target = nodes == 1 ? 10.0 : 50.0;
                var kept = joined == presses;
                table.Row(
                    deployment.Name, rate, kept ? $"{presses}" : $"{presses}, of which only {joined} got an agent within {Patience.TotalSeconds:0} s",
                    Bench.Describe(offers), string.Create(CultureInfo.InvariantCulture, $"{accepts.P50:0.0} / {accepts.P99:0.0}"), Bench.Describe(joins), offers.P99 / floor.P99,
                    rate != 200 ? "" : kept ? Bench.Verdict(offers.P99 <= target && joins.P99 <= target, $"≤ {target:0} ms", Math.Max(offers.P99, joins.P99) / target) : "missed: the node fell behind");
                if (!kept)
                {
                    // The node fell behind: a higher rate would only measure the backlog.
                    break;
                }
            }
            await desk.DisposeAsync();
            if (desk.Errors > 0)
            {
                section.Say($"{deployment.Name}: {desk.Errors} accepts or closes were refused (offers withdrawn while the node was behind).");
            }
        }
        section.Say($"Floor (one Redis round trip, same run): {string.Join("; ", floors)}.");
        section.Say(
            $"{Agents} agents with a cap of {AgentCap} each accept every offer the moment it arrives and close the conversation straight " +
            "after, so the figures are routing and delivery, not waiting for a free agent. Customers are connected before the run " +
            "(customer connections on node 1, agents on the last node); a press is one RequestHelp call. Targets: p99 ≤ 10 ms on one " +
            "node, ≤ 50 ms on two nodes at 200 presses/s.");
        return section;
    }

    private static async Task<(Latencies.Summary Offers, Latencies.Summary Accepts, Latencies.Summary Joins, int Presses, int Joined)> StormAsync(
        Deployment deployment, Desk desk, int rate, TimeSpan duration, CancellationToken ct)
    {
        var presses = (int)(rate * duration.TotalSeconds);
        var customers = await Bench.ConnectCustomersAsync(deployment.Nodes[0].Uri, presses, ct);
        var offers = new Latencies(presses);
        var joins = new Latencies(presses);
        var accepts = new Latencies(presses);
        desk.Offers = offers;
        desk.Accepts = accepts;
        var joined = 0;
        var allJoined = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var failures = 0;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < presses; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / rate);
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed, ct);
            }
            var customer = customers[i];
            var pressed = Stopwatch.GetTimestamp();
            customer.AgentJoined += (_, _) =>
            {
                joins.Since(pressed);
                if (Interlocked.Increment(ref joined) == presses)
                {
                    allJoined.TrySetResult();
                }
            };
            _ = customer.RequestHelpAsync(new RequestHelpInput
            {
                Topic = "general",
                Details = StampPrefix + pressed.ToString(CultureInfo.InvariantCulture),
            }, ct).ContinueWith(t => Interlocked.Increment(ref failures), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
        await Task.WhenAny(allJoined.Task, Task.Delay(Patience, ct));
        var joinedInTime = Volatile.Read(ref joined);
        var refused = Volatile.Read(ref failures);
        await Bench.DisposeAllAsync(customers);
        await desk.SettleAsync();
        if (refused > 0)
        {
            throw new InvalidOperationException($"{refused} of {presses} presses were refused");
        }
        return (offers.Summarize(), accepts.Summarize(), joins.Summarize(), presses, joinedInTime);
    }

    /// <summary>The agents of a storm: each accepts at once and closes the conversation after.</summary>
    private sealed class Desk : IAsyncDisposable
    {
        private readonly List<AgentClient> _agents = [];
        private int _errors;
        private readonly ConcurrentQueue<Task> _pending = new();

        public Latencies? Offers { get; set; }

        /// <summary>Press → the agent's accept answered: splits the time to "agent joined" into the accept and its notice to the customer.</summary>
        public Latencies? Accepts { get; set; }

        public int Errors => Volatile.Read(ref _errors);

        public static async Task<Desk> OpenAsync(Deployment deployment, CancellationToken ct)
        {
            var desk = new Desk();
            for (var i = 0; i < Agents; i++)
            {
                var username = $"storm{i}";
                await deployment.CreateAgentAsync(username, AgentCap);
                var agent = new AgentClient(deployment.Nodes[^1].Uri, Bench.ClientOptions);
                agent.OfferReceived += (_, offer) => desk.OnOffer(agent, offer);
                await agent.StartAsync(username, username + "-password", ct);
                await agent.SetStatusAsync(AgentStatus.Online, ct);
                desk._agents.Add(agent);
            }
            return desk;
        }

        /// <summary>Waits for the accepts and closes still under way, so the next step starts with free agents.</summary>
        public async Task SettleAsync()
        {
            while (_pending.TryDequeue(out var task))
            {
                await task;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await SettleAsync();
            await Bench.DisposeAllAsync(_agents);
        }

        private void OnOffer(AgentClient agent, OfferNotice offer)
        {
            var details = offer.Conversation.PreQualification.Details ?? "";
            long? pressed = details.StartsWith(StampPrefix, StringComparison.Ordinal)
                ? long.Parse(details.AsSpan(StampPrefix.Length), CultureInfo.InvariantCulture)
                : null;
            if (pressed is { } stamp)
            {
                Offers?.Since(stamp);
            }
            _pending.Enqueue(AcceptAndCloseAsync(agent, offer.ConversationId, pressed));
        }

        private async Task AcceptAndCloseAsync(AgentClient agent, string conversationId, long? pressed)
        {
            try
            {
                await agent.AcceptOfferAsync(conversationId);
                if (pressed is { } stamp)
                {
                    Accepts?.Since(stamp);
                }
                await agent.CloseAsync(conversationId);
            }
            catch (Exception e) when (e is LiveHelpHubException or LiveHelpConnectionException)
            {
                Interlocked.Increment(ref _errors);
            }
        }
    }
}
