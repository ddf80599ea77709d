namespace LiveHelp.Core.Conversations;

/// <summary>
/// Where the customers of open conversations are, kept in the store of record: each node counts its own customer
/// connections there, so whichever node's clock looks finds a customer gone only when no live node holds a connection
/// of theirs. Every change is one conditional statement, so nodes that race change a conversation's presence once.
/// Each method returns the conversations it changed, as they are now.
/// </summary>
public interface ICustomerPresenceStore
{
    /// <summary>A connection of the visitor opened on this node: their open conversations that were gone are here since <paramref name="now"/>.</summary>
    Task<IReadOnlyList<Conversation>> CustomerConnectedAsync(string visitorId, DateTimeOffset now);

    /// <summary>A connection of the visitor closed on this node at <paramref name="now"/>.</summary>
    Task CustomerDisconnectedAsync(string visitorId, DateTimeOffset now);

    /// <summary>The customer says where they are (here or away); the conversation, when open and that changed it.</summary>
    Task<Conversation?> ReportAsync(string conversationId, CustomerPresence presence, DateTimeOffset now);

    /// <summary>
    /// Open conversations whose customer has had no connection on a live node (one heard from after
    /// <paramref name="aliveAfter"/>) since <paramref name="leftBy"/> or earlier become gone, since they left.
    /// </summary>
    Task<IReadOnlyList<Conversation>> MarkGoneAsync(DateTimeOffset now, DateTimeOffset leftBy, DateTimeOffset aliveAfter);

    /// <summary>Open conversations gone since <paramref name="goneBy"/> or earlier whose leaving is not yet told: each is returned once.</summary>
    Task<IReadOnlyList<Conversation>> TakeLeftUntoldAsync(DateTimeOffset goneBy);

    /// <summary>Open conversations gone since <paramref name="goneBy"/> or earlier.</summary>
    Task<IReadOnlyList<Conversation>> ListGoneAsync(DateTimeOffset goneBy);
}
