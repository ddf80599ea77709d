using System.Diagnostics;
using System.Text;
using LiveHelp.Testing;

namespace LiveHelp.Benchmarks.Scenarios;

/// <summary>
/// The peer LiveHelp is compared with: peer/relay.mjs, a minimal Socket.IO 4.8 relay for two-party rooms, run with node
/// as one process, or as two processes that share their rooms through @socket.io/redis-adapter and a Redis. With two,
/// each pair's customer is on the first process and its agent on the second, so every message crosses Redis.
/// </summary>
internal sealed class SocketIoRelay : IRelay
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly List<PeerProcess> _processes = [];

    private SocketIoRelay(string name) => Name = name;

    public string Name { get; }

    public IReadOnlyList<int> ServerProcessIds => _processes.Select(p => p.Process.Id).ToArray();

    /// <summary>
    /// Starts <paramref name="processes"/> relay processes (1 or 2); two attach the Redis adapter to <paramref name="redis"/>,
    /// one runs without Redis (and ignores it). Installs the peer's npm packages first if they are not there.
    /// </summary>
    public static async Task<SocketIoRelay> StartAsync(int processes, RedisServer? redis, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(processes, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(processes, 2);
        if (processes == 2 && redis is null)
        {
            throw new ArgumentNullException(nameof(redis), "two relay processes share their rooms through Redis");
        }
        var folder = PeerFolder();
        await InstallAsync(folder, ct);
        var relay = new SocketIoRelay(processes == 1 ? "Socket.IO 4.8, 1 process" : "Socket.IO 4.8 + redis-adapter, 2 processes");
        try
        {
            for (var i = 0; i < processes; i++)
            {
                relay._processes.Add(await PeerProcess.StartAsync(folder, processes == 2 ? redis : null, ct));
            }
            return relay;
        }
        catch
        {
            await relay.DisposeAsync();
            throw;
        }
    }

    public async Task<IRelayPair> OpenPairAsync(int index, Action<Side, long> received, CancellationToken ct)
    {
        var room = $"pair-{index}";
        var customer = SocketIoClient.ConnectAsync(_processes[0].Port, stamp => received(Side.Customer, stamp), ct);
        var agent = SocketIoClient.ConnectAsync(_processes[^1].Port, stamp => received(Side.Agent, stamp), ct);
        try
        {
            await Task.WhenAll(customer, agent);
            await Task.WhenAll(customer.Result.EmitWithAckAsync("join", room, ct), agent.Result.EmitWithAckAsync("join", room, ct));
            return new Pair(customer.Result, agent.Result);
        }
        catch
        {
            foreach (var client in new[] { customer, agent })
            {
                if (client.IsCompletedSuccessfully)
                {
                    await client.Result.DisposeAsync();
                }
            }
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.StopAsync();
        }
        _processes.Clear();
    }

    /// <summary>tests/LiveHelp.Benchmarks/peer, found by walking up from the tool to the folder of LiveHelp.sln.</summary>
    private static string PeerFolder()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "LiveHelp.sln")))
        {
            directory = directory.Parent;
        }
        if (directory is null)
        {
            throw new InvalidOperationException("LiveHelp.sln not found above " + AppContext.BaseDirectory);
        }
        return Path.Combine(directory.FullName, "tests", "LiveHelp.Benchmarks", "peer");
    }

    /// <summary>Runs <c>npm ci</c> when node_modules is missing, or older than package-lock.json.</summary>
    private static async Task InstallAsync(string folder, CancellationToken ct)
    {
        // npm writes node_modules/.package-lock.json last, so a half-done install does not count as one.
        var installed = new FileInfo(Path.Combine(folder, "node_modules", ".package-lock.json"));
        if (installed.Exists && installed.LastWriteTimeUtc >= File.GetLastWriteTimeUtc(Path.Combine(folder, "package-lock.json")))
        {
            return;
        }
        var start = new ProcessStartInfo("npm")
        {
            ArgumentList = { "ci", "--no-audit", "--no-fund" },
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var npm = Process.Start(start) ?? throw new InvalidOperationException("npm did not start");
        var output = npm.StandardOutput.ReadToEndAsync(ct);
        var errors = npm.StandardError.ReadToEndAsync(ct);
        try
        {
            await npm.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            npm.Kill(entireProcessTree: true);
            throw;
        }
        if (npm.ExitCode != 0)
        {
            throw new InvalidOperationException($"npm ci in {folder} failed ({npm.ExitCode}):\n{await output}{await errors}");
        }
    }

    /// <summary>One <c>node relay.mjs</c>, on a free loopback port.</summary>
    private sealed class PeerProcess
    {
        private readonly StringBuilder _errors = new();

        private PeerProcess(Process process, int port)
        {
            Process = process;
            Port = port;
        }

        public Process Process { get; }

        public int Port { get; }

        public static async Task<PeerProcess> StartAsync(string folder, RedisServer? redis, CancellationToken ct)
        {
            var port = LoopbackPort.Free();
            var start = new ProcessStartInfo("node")
            {
                ArgumentList = { "relay.mjs", "--port", port.ToString() },
                WorkingDirectory = folder,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            if (redis is not null)
            {
                start.ArgumentList.Add("--redis");
                start.ArgumentList.Add($"redis://127.0.0.1:{redis.Port}");
            }
            var process = new Process { StartInfo = start, EnableRaisingEvents = true };
            var peer = new PeerProcess(process, port);
            var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data == $"listening {port}")
                {
                    listening.TrySetResult();
                }
            };
            process.ErrorDataReceived += (_, e) => peer.KeepError(e.Data);
            process.Exited += (_, _) => listening.TrySetException(
                new InvalidOperationException($"relay.mjs exited before listening on {port}:\n{peer.Errors}"));
            if (!process.Start())
            {
                throw new InvalidOperationException("node did not start");
            }
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            try
            {
                await listening.Task.WaitAsync(StartTimeout, ct);
                return peer;
            }
            catch (TimeoutException)
            {
                await peer.StopAsync();
                throw new TimeoutException($"relay.mjs did not listen on {port} within {StartTimeout.TotalSeconds:0} s:\n{peer.Errors}");
            }
            catch
            {
                await peer.StopAsync();
                throw;
            }
        }

        private string Errors
        {
            get
            {
                lock (_errors)
                {
                    return _errors.ToString();
                }
            }
        }

        public async Task StopAsync()
        {
            try
            {
                if (!Process.HasExited)
                {
                    Process.Kill(entireProcessTree: true);
                    await Process.WaitForExitAsync();
                }
            }
            catch (InvalidOperationException)
            {
                // Never started, or already gone.
            }
            Process.Dispose();
        }

        private void KeepError(string? line)
        {
            if (line is null)
            {
                return;
            }
            lock (_errors)
            {
                // Enough to say why it failed; a long-running relay does not grow this without bound.
                if (_errors.Length < 16_384)
                {
                    _errors.AppendLine(line);
                }
            }
        }
    }

    private sealed class Pair(SocketIoClient customer, SocketIoClient agent) : IRelayPair
    {
        public void Send(Side from, long stamp) => (from == Side.Customer ? customer : agent).Send(stamp);

        public async ValueTask DisposeAsync()
        {
            await Task.WhenAll(customer.DisposeAsync().AsTask(), agent.DisposeAsync().AsTask());
        }
    }
}
