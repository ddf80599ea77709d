namespace LiveHelp.Core.Routing;

/// <summary>
/// A customer's place in the queue and the honest expected wait; <paramref name="NobodyOnDuty"/> when no agent on duty
/// has the request's skill, so that neither place nor wait means anything until one comes back (the place is kept).
/// </summary>
public sealed record QueuePlace(string RequestId, int Position, int EstimatedWaitSeconds, int AgentsAvailable, bool NobodyOnDuty = false);

public static class WaitEstimate
{
    /// <summary>
    /// Customers ahead who fit into free places are served at once; after that a place frees, on average,
    /// every handle time divided by the number of places, so the wait is the remaining customers ahead times that.
    /// </summary>
    public static int Seconds(int position, int freePlaces, int totalPlaces, TimeSpan averageHandleTime)
    {
        var ahead = position - 1;
        if (ahead < freePlaces)
        {
            return 0;
        }
        var perPlace = averageHandleTime.TotalSeconds / Math.Max(1, totalPlaces);
        return (int)Math.Ceiling((ahead - freePlaces + 1) * perPlace);
    }

    /// <summary>Places for every request, positions counted among requests that need the same skill.</summary>
    public static IReadOnlyList<QueuePlace> ForQueue(
        IReadOnlyList<HelpRequest> orderedQueue, IReadOnlyList<AgentSeat> seats, TimeSpan averageHandleTime)
    {
        var places = new List<QueuePlace>(orderedQueue.Count);
        var positionBySkill = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var request in orderedQueue)
        {
            var position = positionBySkill.GetValueOrDefault(request.Skill) + 1;
            positionBySkill[request.Skill] = position;
            var skilled = seats.Where(s => s.IsAvailable && s.Profile.Skills.Contains(request.Skill, StringComparer.OrdinalIgnoreCase)).ToList();
            var total = skilled.Sum(s => s.Profile.MaxConcurrent);
            // Pending offers are not subtracted: their requests are still in the queue, counted among those ahead.
            var free = skilled.Sum(s => Math.Max(0, s.Profile.MaxConcurrent - s.Conversations.Count));
            var nobodyOnDuty = !seats.Any(s => s.IsOnDutyFor(request.Skill));
            places.Add(new QueuePlace(request.Id, position, Seconds(position, free, total, averageHandleTime), skilled.Count, nobodyOnDuty));
        }
        return places;
    }
}
