namespace LiveHelp.Core;

/// <summary>How the customer wants help: a text chat, or straight into a call (the one-tap device button).</summary>
public enum HelpMode
{
    Chat,
    Mayday,
}

public enum AgentStatus
{
    Offline,
    Away,
    Online,
}
