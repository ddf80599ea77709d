using System.Diagnostics;
using System.Net.Http.Json;
using LiveHelp.Client;

namespace LiveHelp.Cluster.Tests;

/// <summary>
/// Real LiveHelp server processes on loopback sharing one redis-server and one PostgreSQL, behind Debian's HAProxy
/// running deploy/haproxy.cfg, the same file docker-compose.yml uses.
/// </summary>
public sealed class Cluster : IAsyncDisposable
{
    public const string AdminPassword = "cluster-admin-password";

    private readonly List<Node> _nodes = [];
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "livehelp-cluster", Guid.NewGuid().ToString("N"));
    private readonly IReadOnlyDictionary<string, string> _settings;
    private readonly Func<int, string, string>? _nodeDatabase;
    private Process? _balancer;

    private Cluster(
        RedisServer redis, PostgresServer postgres, string database, IReadOnlyDictionary<string, string> settings, Func<int, string, string>? nodeDatabase)
    {
        Redis = redis;
        Postgres = postgres;
        Database = database;
        _settings = settings;
        _nodeDatabase = nodeDatabase;
    }

    public RedisServer Redis { get; }
    public PostgresServer Postgres { get; }
    public string Database { get; }
    public IReadOnlyList<Node> Nodes => _nodes;

    /// <summary>The load balancer: what users reach.</summary>
    public Uri BalancerUri { get; private set; } = null!;

    /// <param name="nodes">How many LiveHelp nodes.</param>
    /// <param name="settings">Environment variables for every node, over the defaults (e.g. a shorter grace period).</param>
    /// <param name="nodeDatabase">
    /// Given a node's number (from 1) and <see cref="Database"/>, the connection string that node uses instead (e.g.
    /// through a proxy of the test's own); every node uses <see cref="Database"/> when null.
    /// </param>
    public static async Task<Cluster> StartAsync(
        int nodes = 2, IReadOnlyDictionary<string, string>? settings = null, Func<int, string, string>? nodeDatabase = null)
    {
        var redis = await RedisServer.StartAsync();
        var postgres = await PostgresServer.StartAsync();
        var cluster = new Cluster(redis, postgres, await postgres.CreateDatabaseAsync(), settings ?? new Dictionary<string, string>(), nodeDatabase);
        Directory.CreateDirectory(cluster._directory);
        // Nodes start together, as with docker compose: schema creation must be safe when they race.
        var started = Enumerable.Range(1, nodes).Select(i => new Node(i, cluster)).ToList();
        cluster._nodes.AddRange(started);
        await Task.WhenAll(started.Select(n => n.StartAsync()));
        await cluster.StartBalancerAsync();
        return cluster;
    }

    /// <summary>The options every test client uses: WebSockets straight away, as behind a plain round-robin balancer.</summary>
    public static HubConnectionOptions ClientOptions => new()
    {
        SkipNegotiation = true,
        ReconnectDelays = [TimeSpan.Zero, TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(500)],
    };

    /// <summary>An HTTP client signed in as the admin, through the balancer unless a node is named.</summary>
    public async Task<HttpClient> AdminAsync(Uri? node = null)
    {
        var http = new HttpClient { BaseAddress = node ?? BalancerUri };
        var signin = await http.PostAsJsonAsync("/api/auth/signin", new { username = "admin", password = AdminPassword });
        signin.EnsureSuccessStatusCode();
        http.DefaultRequestHeaders.Authorization = new("Bearer", (await signin.Content.ReadFromJsonAsync<TokenAnswer>())!.Token);
        return http;
    }

    public async Task<string> CreateAgentAsync(string username, string[] skills, int maxConcurrent = 3)
    {
        using var http = await AdminAsync();
        var created = await http.PostAsJsonAsync("/api/agents", new
        {
            username,
            displayName = char.ToUpperInvariant(username[0]) + username[1..],
            password = username + "-password",
            skills,
            maxConcurrent,
        });
        created.EnsureSuccessStatusCode();
        return (await created.Content.ReadFromJsonAsync<IdAnswer>())!.Id;
    }

    /// <summary>Polls until the condition holds; throws after twenty seconds.</summary>
    public static Task WaitUntilAsync(Func<bool> condition) => WaitUntilAsync(() => Task.FromResult(condition()));

    public static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the condition did not come true in time");
            }
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            node.Kill();
        }
        if (_balancer is { HasExited: false })
        {
            _balancer.Kill(entireProcessTree: true);
            await _balancer.WaitForExitAsync();
        }
        await Postgres.DisposeAsync();
        await Redis.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task StartBalancerAsync()
    {
        var port = LoopbackPort.Free();
        BalancerUri = new Uri($"http://127.0.0.1:{port}");
        var start = new ProcessStartInfo("/usr/sbin/haproxy")
        {
            // -db: in the foreground, as in its container.
            ArgumentList = { "-db", "-f", Path.Combine(ServerProcess.RepositoryRoot(), "deploy", "haproxy.cfg") },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        // The variables docker-compose.yml sets, pointing at this cluster's loopback ports.
        start.Environment["LIVEHELP_LISTEN"] = $"127.0.0.1:{port}";
        start.Environment["LIVEHELP_NODE_1"] = $"127.0.0.1:{_nodes[0].Port}";
        start.Environment["LIVEHELP_NODE_2"] = $"127.0.0.1:{_nodes[^1].Port}";
        _balancer = Process.Start(start)!;
        _balancer.BeginErrorReadLine();
        _balancer.BeginOutputReadLine();
        await ServerProcess.WaitReadyAsync(new Uri(BalancerUri, "/readyz"), TimeSpan.FromSeconds(20));
    }

    private sealed record TokenAnswer(string Token);

    private sealed record IdAnswer(string Id);

    /// <summary>One LiveHelp server process.</summary>
    public sealed class Node(int number, Cluster cluster)
    {
        private ServerProcess? _process;

        public int Number { get; } = number;
        public int Port { get; } = LoopbackPort.Free();
        public Uri Uri => new($"http://127.0.0.1:{Port}");

        public async Task StartAsync()
        {
            var environment = new Dictionary<string, string>
            {
                ["ConnectionStrings__Redis"] = cluster.Redis.Configuration,
                ["ConnectionStrings__Postgres"] = cluster._nodeDatabase?.Invoke(Number, cluster.Database) ?? cluster.Database,
                ["LiveHelp__DataDirectory"] = Path.Combine(cluster._directory, $"node{Number}"),
                ["LiveHelp__SigningKey"] = "cluster-signing-key",
                ["LiveHelp__AdminPassword"] = AdminPassword,
                ["LiveHelp__ClockInterval"] = "00:00:00.1",
                ["LiveHelp__Routing__OfferTimeout"] = "00:00:03",
                ["LiveHelp__Routing__AgentGracePeriod"] = "00:00:20",
                ["LiveHelp__Node__NodeId"] = $"node{Number}",
                ["LiveHelp__Node__HeartbeatInterval"] = "00:00:00.5",
                ["LiveHelp__Node__HeartbeatTtl"] = "00:00:02",
                ["Logging__LogLevel__Default"] = "Warning",
            };
            foreach (var (name, value) in cluster._settings)
            {
                environment[name] = value;
            }
            _process = await ServerProcess.StartAsync(Port, environment, TimeSpan.FromSeconds(60));
        }

        /// <summary>kill -9: no shutdown, no goodbye to anyone.</summary>
        public void Kill()
        {
            Thaw();
            _process?.Kill();
        }

        /// <summary>kill -STOP: the kernel still accepts connections for the node; the node answers none of them.</summary>
        public void Freeze() => Signal("STOP");

        /// <summary>kill -CONT, after <see cref="Freeze"/>.</summary>
        public void Thaw()
        {
            if (_process is { HasExited: false })
            {
                Signal("CONT");
            }
        }

        private void Signal(string signal)
        {
            using var kill = Process.Start("/bin/kill", ["-" + signal, _process!.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            kill.WaitForExit();
        }
    }
}
