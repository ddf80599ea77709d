using LiveHelp.Core;
using LiveHelp.Core.Conversations;

namespace LiveHelp.Testing;

/// <summary>
/// A known set of conversations and offline messages around the week of Monday 2 March 2026 (UTC), whose report
/// figures are worked out by hand: see the tests for the answers and why.
/// </summary>
public static class CustomerReportSeed
{
    public const string From = "2026-03-02";
    public const string To = "2026-03-08";
    public const string TopPhrase = "tracking number not working";

    /// <summary>The lowest-rated conversation of the week: rated 1, with a comment.</summary>
    public const string LowestRatedId = "c-ship-2";
    public const string LowestRatedComment = "Tracking number not working still!!";

    private static DateTimeOffset At(int month, int day, int hour, int minute, int second = 0) =>
        new(2026, month, day, hour, minute, second, TimeSpan.Zero);

    public static async Task SeedAsync(IConversationStore store)
    {
        // The week: five answered, one abandoned in the queue, one still waiting, two offline messages.
        await AddAsync(store, "c-ship-1", "shipping", At(3, 2, 9, 10), wait: 10, reply: 5, handle: 100, rating: 5,
            details: "My tracking number not working since Monday");
        await AddAsync(store, "c-ship-2", "shipping", At(3, 2, 9, 40), wait: 20, reply: 15, handle: 200, rating: 1,
            comment: LowestRatedComment, details: "where is my parcel", first: "the tracking number not working at all");
        await AddAsync(store, "c-ship-3", "shipping", At(3, 3, 14, 5), wait: 30, reply: 25, handle: 300, rating: 2,
            comment: "slow answer", first: "Tracking number not working");
        await AddAsync(store, "c-ship-4", "shipping", At(3, 3, 14, 20), status: ConversationStatus.Cancelled, details: "parcel arrived damaged");
        await AddAsync(store, "c-bill-1", "billing", At(3, 4, 22, 50), wait: 40, reply: 35, handle: 400, rating: 4,
            details: "double charged on my card");
        await AddAsync(store, "c-bill-2", "billing", At(3, 8, 23, 59, 59), wait: 50, details: "double charged on my card again");
        await AddAsync(store, "c-bill-3", "billing", At(3, 5, 8, 0), status: ConversationStatus.Queued);
        await store.AddOfflineMessageAsync(new OfflineMessage { Id = "o-1", VisitorId = "v-o-1", Topic = "shipping", Text = TopPhrase, CreatedAt = At(3, 7, 10, 0) });
        await store.AddOfflineMessageAsync(new OfflineMessage { Id = "o-2", VisitorId = "v-o-2", Text = "call me back", CreatedAt = At(3, 6, 3, 0) });

        // The week before: one answered, one abandoned a second before the week began.
        await AddAsync(store, "c-prev-1", "shipping", At(2, 24, 10, 0), wait: 60, reply: 10, handle: 60, rating: 3, details: TopPhrase);
        await AddAsync(store, "c-prev-2", "shipping", At(3, 1, 23, 59, 59), status: ConversationStatus.Cancelled, details: "refund please");

        // The week after begins at midnight: not in the week.
        await AddAsync(store, "c-next-1", "shipping", At(3, 9, 0, 0), status: ConversationStatus.Cancelled, details: TopPhrase);
    }

    private static async Task AddAsync(
        IConversationStore store, string id, string topic, DateTimeOffset created, int? wait = null, int? reply = null, int? handle = null,
        int? rating = null, string? comment = null, string? details = null, string? first = null, ConversationStatus? status = null)
    {
        var assigned = created.AddSeconds(wait ?? 0);
        await store.AddConversationAsync(new Conversation
        {
            Id = id,
            VisitorId = "v-" + id,
            Topic = topic,
            Status = status ?? (handle is null ? ConversationStatus.Active : ConversationStatus.Closed),
            PreQualification = new PreQualification { Details = details },
            CreatedAt = created,
            EnqueuedAt = created,
            AgentId = wait is null ? null : "a-ann",
            AgentName = wait is null ? null : "Ann",
            FirstAssignedAt = wait is null ? null : assigned,
            FirstAgentReplyAt = reply is null ? null : assigned.AddSeconds(reply.Value),
            ClosedAt = handle is not null ? assigned.AddSeconds(handle.Value) : status is ConversationStatus.Cancelled ? created.AddMinutes(1) : null,
            ClosedBy = handle is not null ? Roles.Agent : status is ConversationStatus.Cancelled ? Roles.Customer : null,
            Rating = rating,
            RatingComment = comment,
        });
        if (first is not null)
        {
            await store.AppendMessageAsync(new Message
            {
                ConversationId = id,
                Kind = MessageKind.Customer,
                SenderId = "v-" + id,
                Text = first,
                SentAt = created.AddSeconds(1),
            });
        }
        // An agent's words are not what customers are saying.
        if (reply is not null)
        {
            await store.AppendMessageAsync(new Message
            {
                ConversationId = id,
                Kind = MessageKind.Agent,
                SenderId = "a-ann",
                SenderName = "Ann",
                Text = "double charged on my card tracking number not working",
                SentAt = assigned.AddSeconds(reply.Value),
            });
        }
    }
}
