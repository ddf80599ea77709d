using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Runtime.InteropServices;
using System.Text;
using LiveHelp.Client;
using LiveHelp.Core;
using LiveHelp.Core.Contracts;
using LiveHelp.Core.Conversations;

namespace LiveHelp.Benchmarks.Scenarios;

/// <summary>
/// Idle customer connections, each with its own visitor token, opened in batches until the node stops accepting or a
/// probe conversation's latency passes one second; memory per connection from the server's resident set.
/// </summary>
internal static partial class Connections
{
    private const int ConnectionsPerAddress = 20_000;
    private static readonly byte[] Handshake = Encoding.UTF8.GetBytes("{\"protocol\":\"json\",\"version\":1}\u001e");
    private static readonly byte[] Ping = Encoding.UTF8.GetBytes("{\"type\":6}\u001e");

    public static async Task<Section> RunAsync(BenchOptions options, CancellationToken ct)
    {
        var batch = options.Smoke ? 100 : 2_000;
        var section = new Section("Connections: idle customers per node and memory per connection");
        var limit = RaiseOpenFileLimit();
        // The server inherits this process's limit and needs one descriptor per connection, as this process does per
        // client socket: the count stops short of the limit rather than at a crash.
        var target = options.Smoke ? 500 : (int)Math.Min(60_000, (limit - 2_000) / batch * batch);
        target = Math.Min(target, options.ConnectionCap ?? int.MaxValue);
        await using var deployment = await Deployment.StartAsync(1, Bench.Settings);
        var node = deployment.Nodes[0];
        await using var probe = await Probe.OpenAsync(deployment, ct);
        var idle = new List<ClientWebSocket>();
        using var keepAlive = new CancellationTokenSource();
        var pinging = KeepAliveAsync(idle, keepAlive.Token);
        var invokers = new Dictionary<int, HttpMessageInvoker>();
        using var http = new HttpClient { BaseAddress = node.Uri, Timeout = TimeSpan.FromSeconds(15) };
        try
        {
            await probe.RoundTripAsync(ct);
            var baseline = Machine.ResidentBytes(node.ProcessId) ?? 0;
            var table = section.Table("idle connections", "server resident MB", "KB per connection (above the baseline)", "probe customer → agent (ms)");
            table.Row(0, baseline / 1e6, "", (await probe.RoundTripAsync(ct)).TotalMilliseconds);
            var stop = options.ConnectionCap <= target ? $"the run was capped at {target:N0} (--connections)"
                : target < 60_000
                ? $"the open-file limit ({limit:N0} per process, which this machine does not let the tool raise) allows no more"
                : "the target count was reached";
            var clock = Stopwatch.StartNew();
            while (idle.Count < target)
            {
                var opened = new ClientWebSocket?[Math.Min(batch, target - idle.Count)];
                var failures = 0;
                string? lastError = null;
                await Parallel.ForEachAsync(Enumerable.Range(0, opened.Length), new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = ct }, async (i, token) =>
                {
                    var index = idle.Count + i;
                    try
                    {
                        opened[i] = await OpenIdleAsync(http, node, Invoker(invokers, index / ConnectionsPerAddress), token);
                    }
                    catch (Exception e) when (e is WebSocketException or HttpRequestException or IOException or SocketException or TimeoutException)
                    {
                        Interlocked.Increment(ref failures);
                        lastError = e.Message;
                    }
                });
                lock (idle)
                {
                    idle.AddRange(opened.Where(s => s is not null)!);
                }
                var latency = await probe.RoundTripAsync(ct);
                var resident = Machine.ResidentBytes(node.ProcessId) ?? 0;
                table.Row(idle.Count, resident / 1e6, (resident - baseline) / 1024.0 / idle.Count, latency.TotalMilliseconds);
                Console.WriteLine($"     {idle.Count} idle, {resident / 1e6:0} MB, probe {latency.TotalMilliseconds:0.0} ms, {failures} failed");
                if (node.HasExited)
                {
                    stop = "the server process exited: " + node.Output;
                    break;
                }
                if (failures > batch / 100)
                {
                    stop = $"the node refused connections ({failures} of a batch of {batch} failed: {lastError})";
                    break;
                }
                if (latency > TimeSpan.FromSeconds(1))
                {
                    stop = "the probe conversation's latency passed 1 s";
                    break;
                }
            }
            var final = Machine.ResidentBytes(node.ProcessId) ?? 0;
            var perConnection = (final - baseline) / 1024.0 / Math.Max(1, idle.Count);
            var summary = section.Table("idle connections held", "stopped because", "KB per connection", "target (≥ 50,000, ≤ 30 KB each)", "time to open all");
            var met = idle.Count >= 50_000 && perConnection <= 30;
            summary.Row(idle.Count, stop, perConnection, met ? "met" : Describe(idle.Count, perConnection), $"{clock.Elapsed.TotalSeconds:0} s");
            section.Say(
                "Each connection is a visitor with its own token (POST /api/visitors), connected over WebSockets with the hub " +
                "handshake done, then idle apart from a keep-alive ping every 10 s, as an open widget tab is. Client sockets are spread " +
                $"over 127.0.0.x source addresses ({ConnectionsPerAddress:N0} per address) to get past one address's ephemeral ports. " +
                "Memory is the server process's resident set (VmRSS) above what it held with no idle connections; the probe is one " +
                $"live conversation (customer → agent message) measured after every batch of {batch:N0}. Open-file limit for the run: {limit:N0}.");
        }
        finally
        {
            keepAlive.Cancel();
            await pinging;
            await Parallel.ForEachAsync(idle, async (socket, _) =>
            {
                socket.Abort();
                socket.Dispose();
                await Task.CompletedTask;
            });
            foreach (var invoker in invokers.Values)
            {
                invoker.Dispose();
            }
        }
        return section;
    }

    private static string Describe(int count, double perConnection)
    {
        var parts = new List<string>();
        if (count < 50_000)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"count {50_000.0 / Math.Max(1, count):0.0}× short"));
        }
        if (perConnection > 30)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"memory {perConnection / 30:0.0}× over"));
        }
        return "missed: " + string.Join(", ", parts);
    }

    private static HttpMessageInvoker Invoker(Dictionary<int, HttpMessageInvoker> invokers, int address)
    {
        lock (invokers)
        {
            if (!invokers.TryGetValue(address, out var invoker))
            {
                var local = IPAddress.Parse($"127.0.0.{2 + address}");
                invoker = new HttpMessageInvoker(new SocketsHttpHandler
                {
                    ConnectCallback = async (context, token) =>
                    {
                        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                        try
                        {
                            socket.Bind(new IPEndPoint(local, 0));
                            await socket.ConnectAsync(context.DnsEndPoint, token);
                            return new NetworkStream(socket, ownsSocket: true);
                        }
                        catch
                        {
                            socket.Dispose();
                            throw;
                        }
                    },
                });
                invokers[address] = invoker;
            }
            return invoker;
        }
    }

    private static async Task<ClientWebSocket> OpenIdleAsync(HttpClient http, Deployment.Node node, HttpMessageInvoker invoker, CancellationToken ct)
    {
        var created = await http.PostAsJsonAsync("/api/visitors", new { }, ct);
        created.EnsureSuccessStatusCode();
        var token = (await created.Content.ReadFromJsonAsync<VisitorToken>(ct))!.Token;
        var socket = new ClientWebSocket();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            var uri = new Uri($"ws://127.0.0.1:{node.Port}/hub?access_token={Uri.EscapeDataString(token)}");
            await socket.ConnectAsync(uri, invoker, timeout.Token);
            await socket.SendAsync(Handshake, WebSocketMessageType.Text, true, timeout.Token);
            var answer = new byte[64];
            var read = await socket.ReceiveAsync(answer, timeout.Token);
            if (read.Count < 3 || answer[0] != (byte)'{' || answer[1] != (byte)'}')
            {
                throw new WebSocketException($"handshake refused: {Encoding.UTF8.GetString(answer, 0, read.Count)}");
            }
            return socket;
        }
        catch
        {
            socket.Abort();
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Idle hub clients still ping, or the server drops them after its client timeout.</summary>
    private static async Task KeepAliveAsync(List<ClientWebSocket> sockets, CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(10), ct);
                ClientWebSocket[] snapshot;
                lock (sockets)
                {
                    snapshot = [.. sockets];
                }
                await Parallel.ForEachAsync(snapshot, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (socket, token) =>
                {
                    if (socket.State == WebSocketState.Open)
                    {
                        try
                        {
                            await socket.SendAsync(Ping, WebSocketMessageType.Text, true, token);
                        }
                        catch (WebSocketException)
                        {
                        }
                    }
                });
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Raises this process's open-file limit (servers started from here inherit it) as far as allowed.</summary>
    private static long RaiseOpenFileLimit()
    {
        const int NoFile = 7;
        if (GetLimit(NoFile, out var limit) != 0)
        {
            throw new InvalidOperationException("getrlimit failed");
        }
        var wanted = new Limit { Current = 1_048_576, Maximum = Math.Max(limit.Maximum, 1_048_576) };
        if (SetLimit(NoFile, ref wanted) != 0)
        {
            wanted = new Limit { Current = limit.Maximum, Maximum = limit.Maximum };
            SetLimit(NoFile, ref wanted);
        }
        GetLimit(NoFile, out limit);
        return (long)Math.Min(limit.Current, int.MaxValue);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Limit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [LibraryImport("libc", EntryPoint = "getrlimit")]
    private static partial int GetLimit(int resource, out Limit limit);

    [LibraryImport("libc", EntryPoint = "setrlimit")]
    private static partial int SetLimit(int resource, ref Limit limit);

    private sealed record VisitorToken(string Token);

    /// <summary>One live conversation kept open through the run: its message latency tells whether the node still serves.</summary>
    private sealed class Probe : IAsyncDisposable
    {
        private readonly CustomerClient _customer;
        private readonly AgentClient _agent;
        private readonly string _conversationId;
        private TaskCompletionSource<long>? _arrived;

        private Probe(CustomerClient customer, AgentClient agent, string conversationId)
        {
            _customer = customer;
            _agent = agent;
            _conversationId = conversationId;
            agent.MessageReceived += (_, m) =>
            {
                if (m.Kind == MessageKind.Customer)
                {
                    _arrived?.TrySetResult(Stopwatch.GetTimestamp());
                }
            };
        }

        public static async Task<Probe> OpenAsync(Deployment deployment, CancellationToken ct)
        {
            await deployment.CreateAgentAsync("probe", 1, autoAccept: true);
            var agent = await AgentClient.SignInAsync(deployment.Nodes[0].Uri, "probe", "probe-password", Bench.ClientOptions, ct);
            await agent.SetStatusAsync(AgentStatus.Online, ct);
            var customer = await CustomerClient.ConnectAsync(deployment.Nodes[0].Uri, options: Bench.ClientOptions, cancellationToken: ct);
            var id = (await customer.RequestHelpAsync(new RequestHelpInput { Topic = "general" }, ct)).Conversation!.Id;
            return new Probe(customer, agent, id);
        }

        /// <summary>The median of five customer → agent deliveries.</summary>
        public async Task<TimeSpan> RoundTripAsync(CancellationToken ct)
        {
            var samples = new List<TimeSpan>();
            for (var i = 0; i < 5; i++)
            {
                _arrived = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
                var start = Stopwatch.GetTimestamp();
                await _customer.SendMessageAsync(_conversationId, "probe", cancellationToken: ct);
                var end = await _arrived.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
                samples.Add(Stopwatch.GetElapsedTime(start, end));
            }
            return samples.Order().ElementAt(2);
        }

        public async ValueTask DisposeAsync()
        {
            await _customer.DisposeAsync();
            await _agent.DisposeAsync();
        }
    }
}
