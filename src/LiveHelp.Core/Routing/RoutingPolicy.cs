namespace LiveHelp.Core.Routing;

/// <summary>How the queue is ordered and how an agent is chosen. Everything about "who gets whom" is here.</summary>
public static class RoutingPolicy
{
    /// <summary>Requeued first (they already waited), then higher priority, then longer waiting.</summary>
    public static IOrderedEnumerable<HelpRequest> QueueOrder(IEnumerable<HelpRequest> requests) =>
        requests.OrderByDescending(r => r.Requeued)
            .ThenByDescending(r => r.Priority)
            .ThenBy(r => r.EnqueuedAt)
            .ThenBy(r => r.Id, StringComparer.Ordinal);

    /// <summary>
    /// The agent for <paramref name="request"/> among the available <paramref name="seats"/>: online, connected, skilled,
    /// under their cap and not passed over, and not the agent who passed it on to the team while someone else online
    /// has the skill (even without room now: then it waits for them); the least loaded, then the one who has waited
    /// longest since their last assignment.
    /// </summary>
    public static AgentSeat? ChooseAgent(HelpRequest request, IReadOnlyCollection<AgentSeat> seats, DateTimeOffset now)
    {
        var passer = request.TransferredFrom is { } from && seats.Any(s => s.AgentId != from && s.CanServe(request.Skill)) ? from : null;
        return seats.Where(s => s.HasRoomFor(request.Skill) && !IsPassedOver(request, s.AgentId, now) && s.AgentId != passer)
            .OrderBy(s => s.Load)
            .ThenBy(s => s.LastAssignedAt ?? DateTimeOffset.MinValue)
            .ThenBy(s => s.AgentId, StringComparer.Ordinal)
            .FirstOrDefault();
    }

    public static bool IsPassedOver(HelpRequest request, string agentId, DateTimeOffset now) =>
        request.PassedOver.TryGetValue(agentId, out var until) && until > now;
}
