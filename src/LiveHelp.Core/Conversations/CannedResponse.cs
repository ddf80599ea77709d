namespace LiveHelp.Core.Conversations;

/// <summary>A starting point for an agent's reply; placeholders like {name} and {agent} are filled in by the console.</summary>
public sealed record CannedResponse(string Id, string Title, string Text);
