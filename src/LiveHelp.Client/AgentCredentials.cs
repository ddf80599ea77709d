namespace LiveHelp.Client;

/// <summary>The answer of POST /api/auth/signin.</summary>
public sealed record AgentCredentials(string Token, string AgentId, string DisplayName, string Role);
