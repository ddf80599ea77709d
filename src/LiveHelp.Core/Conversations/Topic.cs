namespace LiveHelp.Core.Conversations;

/// <summary>What a customer can ask about; each topic is served by agents with its skill.</summary>
public sealed record Topic(string Id, string Name, string Skill);
