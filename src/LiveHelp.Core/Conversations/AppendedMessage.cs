namespace LiveHelp.Core.Conversations;

/// <summary>
/// What <see cref="IConversationStore.AppendMessageAsync"/> did: the message as stored (or as stored before, for a
/// retried send: <see cref="Added"/> false), and the conversation as the append found it, so who must be told
/// needs no second read.
/// </summary>
public sealed record AppendedMessage(Message Message, bool Added, Conversation Conversation)
{
    public void Deconstruct(out Message message, out bool added)
    {
        message = Message;
        added = Added;
    }
}
