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
    /// The agent for <paramref name="request"/>: online, connected, skilled, under their cap and not passed over;
    /// the least loaded, then the one who has waited longest since their last assignment.
    /// </summary>
    public static AgentSeat? ChooseAgent(HelpRequest request, IEnumerable<AgentSeat> seats, DateTimeOffset now) =>
        seats.Where(s => s.HasRoomFor(request.Skill) && !IsPassedOver(request, s.AgentId, now))
            .OrderBy(s => s.Load)
            .ThenBy(s => s.LastAssignedAt ?? DateTimeOffset.MinValue)
            .ThenBy(s => s.AgentId, StringComparer.Ordinal)
            .FirstOrDefault();

    public static bool IsPassedOver(HelpRequest request, string agentId, DateTimeOffset now) =>
        request.PassedOver.TryGetValue(agentId, out var until) && until > now;
}
