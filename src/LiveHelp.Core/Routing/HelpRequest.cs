namespace LiveHelp.Core.Routing;

/// <summary>A conversation waiting in the queue for an agent with <see cref="Skill"/>.</summary>
public sealed record HelpRequest
{
    /// <summary>The conversation's id: one conversation has at most one request in the queue.</summary>
    public required string Id { get; init; }
    public required string Skill { get; init; }
    public HelpMode Mode { get; init; }
    public int Priority { get; init; }
    public DateTimeOffset EnqueuedAt { get; init; }

    /// <summary>Back in the queue after a lost agent or a transfer: served before everyone else.</summary>
    public bool Requeued { get; init; }

    /// <summary>
    /// The agent who passed the conversation on to a team: it goes back to them only while nobody else online has the skill.
    /// </summary>
    public string? TransferredFrom { get; init; }

    /// <summary>What the agent who passed it on wrote for the next one, shown with the offer.</summary>
    public string? TransferNote { get; init; }

    /// <summary>Agents who declined or let an offer lapse, and until when they are passed over for this request.</summary>
    public IReadOnlyDictionary<string, DateTimeOffset> PassedOver { get; init; } = new Dictionary<string, DateTimeOffset>();
}

/// <summary>A request offered to one agent who must accept before <see cref="Deadline"/>.</summary>
public sealed record Offer(string RequestId, string AgentId, DateTimeOffset Deadline);
