using System.Net.Http.Json;
using LiveHelp.Client;
using LiveHelp.Testing;

namespace LiveHelp.Benchmarks;

/// <summary>
/// LiveHelp as an operator runs it, started by the tool: one node on its embedded defaults (SQLite for messages and routing),
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
                environment["LiveHelp__Node__NodeId"] = $"node{i}";
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

    public static string RepositoryRoot() => ServerProcess.RepositoryRoot();

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
    public sealed class Node(int number, ServerProcess process)
    {
        public int Number { get; } = number;

        public int Port => process.Port;

        public Uri Uri => process.Uri;

        public int ProcessId => process.ProcessId;

        public bool HasExited => process.HasExited;

        /// <summary>What the process printed (warnings and errors only, as configured).</summary>
        public string Output => process.Output;

        public static async Task<Node> StartAsync(int number, IReadOnlyDictionary<string, string> environment) =>
            new(number, await ServerProcess.StartAsync(LoopbackPort.Free(), environment, TimeSpan.FromSeconds(60)));

        public void Stop() => process.Kill();
    }
}
