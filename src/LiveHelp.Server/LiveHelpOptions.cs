using LiveHelp.Core.Calls;
using LiveHelp.Core.Routing;

namespace LiveHelp.Server;

/// <summary>The "LiveHelp" configuration section; every key is listed in README.md.</summary>
public sealed class LiveHelpOptions
{
    public const string Section = "LiveHelp";

    /// <summary>Where the SQLite database lives when no other store is configured; relative paths start at the content root.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>Key that signs visitor and staff tokens; generated and kept in the store when empty.</summary>
    public string? SigningKey { get; set; }

    /// <summary>Secret a host site uses to sign its user ids (identity verification); generated when empty.</summary>
    public string? IdentitySecret { get; set; }

    /// <summary>Password of the first admin, created on the first start; a random one is printed when empty.</summary>
    public string? AdminPassword { get; set; }

    /// <summary>Sites allowed to embed the widget (scheme://host[:port]), besides those an admin adds; "*" allows any.</summary>
    public List<string> AllowedOrigins { get; set; } = [];

    public int MaxMessageLength { get; set; } = 4000;

    /// <summary>Largest file a conversation takes, in bytes.</summary>
    public long MaxAttachmentSize { get; set; } = 10 * 1024 * 1024;

    /// <summary>Files one customer or staff member may send per minute, on each node.</summary>
    public int AttachmentsPerMinute { get; set; } = 20;

    /// <summary>Largest hub frame accepted, in bytes; larger ones close the connection.</summary>
    public long MaxReceiveMessageSize { get; set; } = 64 * 1024;

    /// <summary>Sustained messages per second per connection, and the burst allowed above it.</summary>
    public double MessagesPerSecond { get; set; } = 5;
    public int MessageBurst { get; set; } = 10;

    public TimeSpan VisitorTokenLifetime { get; set; } = TimeSpan.FromDays(365);
    public TimeSpan StaffTokenLifetime { get; set; } = TimeSpan.FromHours(12);

    public SignInOptions SignIn { get; set; } = new();

    /// <summary>How often a node re-reads the accounts of its connected staff and closes the connections of disabled ones.</summary>
    public TimeSpan StaffRecheckInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often offer deadlines and grace periods are checked.</summary>
    public TimeSpan ClockInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long a connected call goes on with no report from one side (each reports every 10 s) before it ends as lost.</summary>
    public TimeSpan CallSilenceTimeout { get; set; } = CallRules.SilenceTimeout;

    public RoutingOptions Routing { get; set; } = new();

    public CustomerPresenceOptions Presence { get; set; } = new();

    public TurnOptions Turn { get; set; } = new();

    public NodeOptions Node { get; set; } = new();

    public MetricsOptions Metrics { get; set; } = new();

    /// <summary>Topics created on the first start: id, name and skill are the same word.</summary>
    public List<string> DefaultTopics { get; set; } = ["general", "billing", "technical", "device"];
}

/// <summary>When a customer without a connection counts as gone, is said to have left, and has their conversation closed ("LiveHelp:Presence").</summary>
public sealed class CustomerPresenceOptions
{
    /// <summary>How long a customer may be without a connection (a reload, a network change) before they count as gone.</summary>
    public TimeSpan ReconnectGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a customer is gone before the conversation says "The customer left the chat."</summary>
    public TimeSpan LeftNoticeAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How much longer, after that line, before the conversation closes by itself and frees the agent's place.</summary>
    public TimeSpan CloseAfter { get; set; } = TimeSpan.FromMinutes(10);
}

/// <summary>How many failed staff sign-ins are answered before the account, or the client address, has to wait.</summary>
public sealed class SignInOptions
{
    /// <summary>Failures per account in one window; a successful sign-in clears them.</summary>
    public int FailuresPerAccount { get; set; } = 5;

    /// <summary>Failures per client address in one window, whatever the accounts; successes neither count nor clear them.</summary>
    public int FailuresPerAddress { get; set; } = 20;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>STUN and TURN servers handed to call participants; TURN credentials in coturn's shared-secret scheme.</summary>
public sealed class TurnOptions
{
    /// <summary>STUN servers, e.g. "stun:turn.example.com:3478"; none by default (calls then work on the local network).</summary>
    public List<string> StunUrls { get; set; } = [];

    /// <summary>TURN servers, e.g. "turn:turn.example.com:3478?transport=udp".</summary>
    public List<string> Urls { get; set; } = [];

    /// <summary>coturn's static-auth-secret (use-auth-secret).</summary>
    public string? Secret { get; set; }

    public TimeSpan CredentialLifetime { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>How a node tells the others sharing its store that it is alive ("LiveHelp:Node").</summary>
public sealed class NodeOptions
{
    /// <summary>Unique among the live nodes; by default the machine name and a random suffix, new at every start.</summary>
    public string NodeId { get; set; } = $"{Environment.MachineName}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>How often the node renews its heartbeat and looks for dead nodes.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>A node silent this long is dead: its agents' connections are taken away and their grace periods start.</summary>
    public TimeSpan HeartbeatTtl { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>Who may scrape <c>/metrics</c> without a token, and where metrics and traces are pushed ("LiveHelp:Metrics").</summary>
public sealed class MetricsOptions
{
    /// <summary>Networks in CIDR notation (e.g. "10.0.0.0/8") whose clients scrape /metrics without a token; supervisors and admins always may.</summary>
    public List<string> AllowedNetworks { get; set; } = [];

    /// <summary>An OTLP/gRPC collector (e.g. "http://otel-collector:4317") that receives metrics and traces; OTEL_EXPORTER_OTLP_ENDPOINT works too.</summary>
    public string? OtlpEndpoint { get; set; }
}
