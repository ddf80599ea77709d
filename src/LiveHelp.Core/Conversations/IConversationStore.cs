using LiveHelp.Core.Accounts;

namespace LiveHelp.Core.Conversations;

/// <summary>The durable record: accounts, visitors, topics, conversations and their transcripts.</summary>
public interface IConversationStore
{
    /// <summary>Creates or migrates the schema; safe to call from several nodes at once.</summary>
    Task InitializeAsync(CancellationToken ct = default);

    /// <summary>Returns the stored value for <paramref name="key"/>, storing <paramref name="value"/> first if there is none.</summary>
    Task<string> GetOrAddSettingAsync(string key, string value, CancellationToken ct = default);

    Task<string?> FindSettingAsync(string key, CancellationToken ct = default);

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/>, replacing any earlier value.</summary>
    Task SetSettingAsync(string key, string value, CancellationToken ct = default);

    /// <summary>False when the username is taken (case-insensitive).</summary>
    Task<bool> TryAddAgentAsync(AgentAccount agent, CancellationToken ct = default);
    Task<AgentAccount?> FindAgentAsync(string id, CancellationToken ct = default);
    Task<AgentAccount?> FindAgentByUsernameAsync(string username, CancellationToken ct = default);
    Task<IReadOnlyList<AgentAccount>> ListAgentsAsync(CancellationToken ct = default);
    Task UpdateAgentAsync(AgentAccount agent, CancellationToken ct = default);

    Task<IReadOnlyList<Topic>> ListTopicsAsync(CancellationToken ct = default);
    Task UpsertTopicAsync(Topic topic, CancellationToken ct = default);

    Task AddVisitorAsync(Visitor visitor, CancellationToken ct = default);
    Task<Visitor?> FindVisitorAsync(string id, CancellationToken ct = default);
    Task<Visitor?> FindVisitorByUserIdAsync(string userId, CancellationToken ct = default);
    Task UpdateVisitorAsync(Visitor visitor, CancellationToken ct = default);

    /// <summary>
    /// Stores <paramref name="conversation"/> and returns it; but when it is open and its visitor already has an
    /// open conversation (one visitor pressing on two nodes at once), stores nothing and returns that one.
    /// </summary>
    Task<Conversation> AddConversationAsync(Conversation conversation, CancellationToken ct = default);
    Task<Conversation?> FindConversationAsync(string id, CancellationToken ct = default);

    /// <summary>
    /// Writes <paramref name="conversation"/> if the stored version equals its <see cref="Conversation.Version"/>;
    /// returns the stored copy with the version incremented, or null when the copy was stale.
    /// </summary>
    Task<Conversation?> TryUpdateConversationAsync(Conversation conversation, CancellationToken ct = default);

    /// <summary>Newest first.</summary>
    Task<IReadOnlyList<Conversation>> ListConversationsByVisitorAsync(string visitorId, CancellationToken ct = default);

    /// <summary>
    /// Gives every conversation of one visitor to another (an anonymous visitor who turns out to be a known user),
    /// except an open one when the other visitor has an open conversation too: a visitor has one open at most.
    /// </summary>
    Task MoveConversationsAsync(string fromVisitorId, string toVisitorId, CancellationToken ct = default);

    /// <summary>Queued and active conversations, oldest first: what a starting node must pick up again.</summary>
    Task<IReadOnlyList<Conversation>> ListOpenConversationsAsync(CancellationToken ct = default);

    /// <summary>
    /// Stores a message with the conversation's next sequence number, if <paramref name="rule"/> allows, in one step
    /// that holds no lock while it waits on the caller. A message whose (conversation, sender, client message id) was
    /// stored before is not stored again: the earlier one is returned with <c>Added = false</c>, whatever the
    /// conversation has become since (a retried send). The conversation comes back as the append found it. Appends
    /// made at once may share one commit; each is answered only once its message is committed.
    /// </summary>
    /// <exception cref="LiveHelpException">
    /// <see cref="ErrorCodes.NotFound"/> when there is no such conversation or, under
    /// <see cref="AppendRule.OpenToSender"/>, the sender takes no part in it (the same answer, so ids cannot be
    /// probed); <see cref="ErrorCodes.ConversationClosed"/> when the rule wants it open and it is not.
    /// </exception>
    Task<AppendedMessage> AppendMessageAsync(Message message, AppendRule rule = AppendRule.Any, CancellationToken ct = default);

    /// <summary>
    /// The message <paramref name="senderId"/> stored in the conversation under <paramref name="clientMessageId"/>,
    /// if any: what a retried send was answered with the first time.
    /// </summary>
    Task<Message?> FindSentMessageAsync(string conversationId, string senderId, string clientMessageId, CancellationToken ct = default);

    /// <summary>Messages with a sequence number above <paramref name="afterSeq"/>, in order, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<Message>> ReadMessagesAsync(string conversationId, long afterSeq, int limit, CancellationToken ct = default);

    /// <summary>
    /// Raises the stored read mark of one side to the last message at or before <paramref name="seq"/> (never past
    /// the last message). Returns the new mark, or null when the mark did not move.
    /// </summary>
    Task<long?> MarkReadAsync(string conversationId, bool byCustomer, long seq, CancellationToken ct = default);

    /// <summary>Stores an attachment's bytes with its conversation, before the message that sends it is appended.</summary>
    Task AddAttachmentAsync(AttachmentContent content, CancellationToken ct = default);

    /// <summary>The attachment with its bytes, or null when the conversation has none under that id.</summary>
    Task<AttachmentContent?> FindAttachmentAsync(string conversationId, string attachmentId, CancellationToken ct = default);

    /// <summary>Removes an attachment whose message could not be stored (the conversation closed in between).</summary>
    Task DeleteAttachmentAsync(string conversationId, string attachmentId, CancellationToken ct = default);

    Task AddOfflineMessageAsync(OfflineMessage message, CancellationToken ct = default);

    /// <summary>Newest first.</summary>
    Task<IReadOnlyList<OfflineMessage>> ListOfflineMessagesAsync(CancellationToken ct = default);

    /// <summary>
    /// A page of conversations matching <paramref name="query"/>, newest first (then by id), after its cursor; a page
    /// read later skips nothing and repeats nothing, whatever was added meanwhile.
    /// </summary>
    Task<HistoryPage> SearchHistoryAsync(HistoryQuery query, CancellationToken ct = default);
}
