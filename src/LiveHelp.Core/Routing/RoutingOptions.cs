namespace LiveHelp.Core.Routing;

public sealed class RoutingOptions
{
    /// <summary>How long an agent has to accept an offer before it goes to the next agent.</summary>
    public TimeSpan OfferTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long a disconnected agent keeps their conversations before they go back to the queue.</summary>
    public TimeSpan AgentGracePeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an agent who declined or missed a request is passed over for it.</summary>
    public TimeSpan PassOverPeriod { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Used for the wait estimate until conversations have closed to learn from.</summary>
    public TimeSpan DefaultHandleTime { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>Queue priority per mode; higher is served first.</summary>
    public Dictionary<HelpMode, int> ModePriority { get; set; } = new() { [HelpMode.Mayday] = 1, [HelpMode.Chat] = 0 };

    public int PriorityOf(HelpMode mode) => ModePriority.GetValueOrDefault(mode);
}
