namespace LiveHelp.Core.Conversations;

/// <summary>
/// What a conversation must be for <see cref="IConversationStore.AppendMessageAsync"/> to store a message. The store
/// checks it in the very step that stores the message, so a close or a handover just before cannot let one in.
/// </summary>
public enum AppendRule
{
    /// <summary>Any conversation that exists, open or closed: what LiveHelp itself says about it.</summary>
    Any,

    /// <summary>Only while it is queued or active.</summary>
    Open,

    /// <summary>
    /// Only while it is queued or active and the sender takes part: a customer message from its visitor, any other
    /// from the agent who holds it.
    /// </summary>
    OpenToSender,
}
