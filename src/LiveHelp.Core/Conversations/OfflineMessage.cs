namespace LiveHelp.Core.Conversations;

/// <summary>Left by a customer when no agent was online; agents read it later.</summary>
public sealed record OfflineMessage
{
    public required string Id { get; init; }
    public required string VisitorId { get; init; }
    public string? Topic { get; init; }
    public string? Name { get; init; }
    public string? Email { get; init; }
    public required string Text { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}
