namespace LiveHelp.Core.Accounts;

/// <summary>A customer known by a visitor token; optionally linked to the host site's own user id.</summary>
public sealed record Visitor
{
    public required string Id { get; init; }
    public string? UserId { get; init; }
    public string? Name { get; init; }
    public string? Email { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}
