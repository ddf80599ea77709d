using System.Diagnostics;
using System.Net.Http.Json;
using LiveHelp.Client;
using LiveHelp.Testing;

namespace LiveHelp.Benchmarks;

/// <summary>
/// LiveHelp as an operator runs it, started by the tool: one node on its embedded defaults (SQLite, in-memory routing),
/// or two nodes sharing a real redis-server and PostgreSQL.
/// </summary>
internal sealed class Deployment : IAsyncDisposable
{
    public const string AdminPassword = "benchmark-admin-password";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "livehelp-bench", Guid.NewGuid().ToString("N"));
    private readonly List<Node> _nodes = [];
    private string? _adminToken;

    private Deployment(RedisServer? redis, PostgresServer? postgres)
    {
        Redis = redis;
        Postgres = postgres;
    }

    public RedisServer? Redis { get; }

    public PostgresServer? Postgres { get; }

    public IReadOnlyList<Node> Nodes => _nodes;

    public string Name => _nodes.Count == 1 ? "LiveHelp, 1 node" : $"LiveHelp, {_nodes.Count} nodes + Redis + PostgreSQL";

    /// <summary>Starts <paramref name="nodes"/> nodes; more than one brings Redis and PostgreSQL along.</summary>
    public static async Task<Deployment> StartAsync(int nodes, IReadOnlyDictionary<string, string>? settings = null)
    {
        RedisServer? redis = null;
        PostgresServer? postgres = null;
        string? database = null;
        if (nodes > 1)
        {
            redis = await RedisServer.StartAsync();
            postgres = await PostgresServer.StartAsync();
            database = await postgres.CreateDatabaseAsync();
        }
        var deployment = new Deployment(redis, postgres);
        Directory.CreateDirectory(deployment._directory);
        for (var i = 1; i <= nodes; i++)
        {
            var environment = new Dictionary<string, string>
            {
                ["LiveHelp__DataDirectory"] = Path.Combine(deployment._directory, $"node{i}"),
                ["LiveHelp__SigningKey"] = "benchmark-signing-key",
                ["LiveHelp__AdminPassword"] = AdminPassword,
                ["Logging__LogLevel__Default"] = "Warning",
            };
            if (redis is not null)
            {
                environment["ConnectionStrings__Redis"] = redis.Configuration;
                environment["ConnectionStrings__Postgres"] = database!;
                environment["LiveHelp__Redis__Node__NodeId"] = $"node{i}";
            }
            foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            {
                environment[key] = value;
            }
            deployment._nodes.Add(await Node.StartAsync(i, environment));
        }
        return deployment;
    }

    /// <summary>Creates an agent through the admin API; the password is the username followed by "-password".</summary>
    public async Task CreateAgentAsync(string username, int maxConcurrent, bool autoAccept = false, string topic = "general")
    {
        using var http = AdminHttp(await AdminTokenAsync());
        var created = await http.PostAsJsonAsync("/api/agents", new
        {
            username,
            displayName = "Agent " + username,
            password = username + "-password",
            skills = new[] { topic },
            maxConcurrent,
            autoAccept,
        });
        if (!created.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"creating agent {username}: {(int)created.StatusCode} {await created.Content.ReadAsStringAsync()}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            node.Stop();
        }
        if (Postgres is not null)
        {
            await Postgres.DisposeAsync();
        }
        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "LiveHelp.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("LiveHelp.sln not found above the tool's folder");
    }

    private async Task<string> AdminTokenAsync()
    {
        if (_adminToken is null)
        {
            var credentials = await new LiveHelpApi(_nodes[0].Uri).SignInAsync("admin", AdminPassword);
            _adminToken = credentials.Token;
        }
        return _adminToken;
    }

    private HttpClient AdminHttp(string token)
    {
        var http = new HttpClient { BaseAddress = _nodes[0].Uri };
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return http;
    }

    /// <summary>One LiveHelp server process, built by the same build as the tool.</summary>
    public sealed class Node
    {
        private readonly Process _process;
        private readonly List<string> _output = [];

        private Node(int number, int port, Process process)
        {
            Number = number;
            Port = port;
            _process = process;
        }

        public int Number { get; }

        public int Port { get; }

        public Uri Uri => new($"http://127.0.0.1:{Port}");

        public int ProcessId => _process.Id;

        public static async Task<Node> StartAsync(int number, IReadOnlyDictionary<string, string> environment)
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
            var server = Path.Combine(RepositoryRoot(), "src", "LiveHelp.Server", "bin", configuration, "net10.0", "LiveHelp.Server.dll");
            var port = LoopbackPort.Free();
            var start = new ProcessStartInfo("dotnet")
            {
                ArgumentList = { server },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = Path.GetDirectoryName(server)!,
            };
            start.Environment["Urls"] = $"http://127.0.0.1:{port}";
            foreach (var (key, value) in environment)
            {
                start.Environment[key] = value;
            }
            var node = new Node(number, port, Process.Start(start)!);
            node._process.OutputDataReceived += (_, e) => node.Keep(e.Data);
            node._process.ErrorDataReceived += (_, e) => node.Keep(e.Data);
            node._process.BeginOutputReadLine();
            node._process.BeginErrorReadLine();
            try
            {
                await WaitReadyAsync(new Uri(node.Uri, "/readyz"), TimeSpan.FromSeconds(60));
            }
            catch (TimeoutException)
            {
                node.Stop();
                throw new TimeoutException($"node {number} did not become ready:\n{node.Output}");
            }
            return node;
        }

        /// <summary>What the process printed (warnings and errors only, as configured).</summary>
        public string Output
        {
            get
            {
                lock (_output)
                {
                    return string.Join('\n', _output.TakeLast(50));
                }
            }
        }

        public void Stop()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }
        }

        private static async Task WaitReadyAsync(Uri readiness, TimeSpan patience)
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            var deadline = DateTime.UtcNow + patience;
            while (DateTime.UtcNow < deadline)
            {
                try
                {
                    if ((await http.GetAsync(readiness)).IsSuccessStatusCode)
                    {
                        return;
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                }
                await Task.Delay(100);
            }
            throw new TimeoutException($"{readiness} not ready within {patience}");
        }

        private void Keep(string? line)
        {
            if (line is not null)
            {
                lock (_output)
                {
                    _output.Add(line);
                }
            }
        }
    }
}
