namespace LiveHelp.Core.Accounts;

/// <summary>A staff member who signs in to the console: an agent, a supervisor or an admin.</summary>
public sealed record AgentAccount
{
    public required string Id { get; init; }
    public required string Username { get; init; }
    public required string DisplayName { get; init; }
    public required string PasswordHash { get; init; }
    public required string Role { get; init; }
    public IReadOnlyList<string> Skills { get; init; } = [];
    public int MaxConcurrent { get; init; } = 3;
    public bool AutoAccept { get; init; }
    public bool Disabled { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}
