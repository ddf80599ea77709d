namespace LiveHelp.Client;

/// <summary>What a device app knows about itself; it travels with the Mayday request so the agent never has to ask.</summary>
public sealed record DeviceInfo
{
    public string? Model { get; init; }
    public string? Os { get; init; }
    public string? AppVersion { get; init; }

    public string Topic { get; init; } = "device";

    public string? Details { get; init; }

    /// <summary>Optional: who the user is, when the app knows.</summary>
    public VisitorIdentity? Identity { get; init; }

    /// <summary>The visitor token from an earlier Mayday, to stay the same visitor.</summary>
    public string? VisitorToken { get; init; }
}
