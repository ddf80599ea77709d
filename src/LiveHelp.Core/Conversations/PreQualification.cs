namespace LiveHelp.Core.Conversations;

/// <summary>What the customer said before an agent joined; it travels with the conversation so nobody asks twice.</summary>
public sealed record PreQualification
{
    public string? Details { get; init; }
    public string? Name { get; init; }
    public string? Email { get; init; }
    public string? PageUrl { get; init; }
    public string? OrderId { get; init; }
    public string? DeviceModel { get; init; }
    public string? DeviceOs { get; init; }
    public string? AppVersion { get; init; }
}
