using LiveHelp.Core.Contracts;
using LiveHelp.Core.Conversations;

namespace LiveHelp.Server.Help;

internal static class Views
{
    public static ConversationView ToView(this Conversation c, string? verifiedUserId = null) => new()
    {
        Id = c.Id,
        VisitorId = c.VisitorId,
        Topic = c.Topic,
        Mode = c.Mode,
        Status = c.Status,
        PreQualification = c.PreQualification,
        VerifiedUserId = verifiedUserId,
        CreatedAt = c.CreatedAt,
        AgentId = c.AgentId,
        AgentName = c.AgentName,
        ClosedAt = c.ClosedAt,
        ClosedBy = c.ClosedBy,
        Rating = c.Rating,
        RatingComment = c.RatingComment,
        QueueWaitSeconds = c.QueueWait?.TotalSeconds,
        FirstResponseSeconds = c.FirstResponse?.TotalSeconds,
        HandleSeconds = c.HandleTime?.TotalSeconds,
        CustomerReadSeq = c.CustomerReadSeq,
        AgentReadSeq = c.AgentReadSeq,
        CustomerPresence = c.Presence,
        // A new conversation's customer has been here since it began.
        CustomerPresenceSince = c.PresenceSince == default ? c.CreatedAt : c.PresenceSince,
    };

    /// <summary>
    /// The view as one staff member may see it: the customer's rating and comment are for the agent who held the
    /// conversation and for supervisors, not for another agent reading the customer's history.
    /// </summary>
    public static ConversationView For(this ConversationView view, Caller staff) =>
        staff.CanOversee || view.AgentId == staff.Id ? view : view with { Rating = null, RatingComment = null };
}
