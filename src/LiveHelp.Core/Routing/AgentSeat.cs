namespace LiveHelp.Core.Routing;

/// <summary>What routing needs to know of an agent: who they are, their skills and cap, and their load now.</summary>
public sealed record AgentProfile(string AgentId, string DisplayName, IReadOnlyList<string> Skills, int MaxConcurrent, bool AutoAccept);

/// <summary>An agent's live routing state.</summary>
public sealed record AgentSeat
{
    public required AgentProfile Profile { get; init; }
    public AgentStatus Status { get; init; }
    public int Connections { get; init; }

    /// <summary>When the last connection went; the grace period runs from here.</summary>
    public DateTimeOffset? DisconnectedAt { get; init; }
    public IReadOnlySet<string> Conversations { get; init; } = new HashSet<string>();
    public int PendingOffers { get; init; }
    public DateTimeOffset? LastAssignedAt { get; init; }

    public string AgentId => Profile.AgentId;

    /// <summary>Conversations held plus offers out: an offer reserves its place under the cap.</summary>
    public int Load => Conversations.Count + PendingOffers;

    public bool IsAvailable => Status == AgentStatus.Online && Connections > 0;

    /// <summary>
    /// Online, busy or not, connected or within the grace period of a lost connection (its end sets them offline):
    /// someone who will answer the queue, now or once they have room.
    /// </summary>
    public bool IsOnDuty => Status == AgentStatus.Online;

    public bool HasRoom => IsAvailable && Load < Profile.MaxConcurrent;

    public bool HasRoomFor(string skill) => HasRoom && Serves(skill);

    /// <summary>Online and connected with the skill, whether or not they have room now.</summary>
    public bool CanServe(string skill) => IsAvailable && Serves(skill);

    /// <summary>On duty with the skill: a request for it keeps a place and a wait worth telling.</summary>
    public bool IsOnDutyFor(string skill) => IsOnDuty && Serves(skill);

    private bool Serves(string skill) => Profile.Skills.Contains(skill, StringComparer.OrdinalIgnoreCase);
}
