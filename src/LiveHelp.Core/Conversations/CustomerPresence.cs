namespace LiveHelp.Core.Conversations;

/// <summary>Whether the customer of a conversation is there: their tab shown (here), hidden (away), or no connection at all (gone).</summary>
public enum CustomerPresence
{
    Here,
    Away,
    Gone,
}
