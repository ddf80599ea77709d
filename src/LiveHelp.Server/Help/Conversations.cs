using System.Runtime.CompilerServices;
using LiveHelp.Core;
using LiveHelp.Core.Contracts;
using LiveHelp.Core.Conversations;
using LiveHelp.Core.Routing;
using LiveHelp.Server.Hubs;
using Microsoft.AspNetCore.SignalR;

namespace LiveHelp.Server.Help;

/// <summary>What a caller may do with a conversation.</summary>
public enum Access
{
    /// <summary>The customer who owns it or the agent who holds it.</summary>
    Participate,

    /// <summary>Participate, or a supervisor acting on it (notes, transfer).</summary>
    Act,

    /// <summary>Participate, or a supervisor reading it.</summary>
    Read,
}

/// <summary>
/// What the parts of the help desk share about one conversation: who may see and change it, writing it back,
/// the staff view, and telling its people (system messages, notes, events).
/// </summary>
public sealed class Conversations(
    IConversationStore store,
    Router router,
    IHubContext<HelpHub, IHelpClient> hub,
    TimeProvider clock,
    ILogger<Conversations> log)
{
    public static string WatchGroup(string conversationId) => "watch:" + conversationId;

    /// <summary>
    /// The conversation if the caller may see it. One that exists but is not theirs gets the very same answer
    /// as one that does not exist, so ids cannot be probed.
    /// </summary>
    public async Task<Conversation> FindAsync(Caller caller, string conversationId, Access access)
    {
        Validate.Id(conversationId);
        var conversation = await store.FindConversationAsync(conversationId);
        var allowed = conversation is not null && (caller.IsCustomer
            ? conversation.VisitorId == caller.Id
            : conversation.AgentId == caller.Id || (access != Access.Participate && caller.CanOversee)
                || (access == Access.Read && (await IsServingAsync(caller, conversation.VisitorId) || await TookPartAsync(caller, conversation.Id))));
        return allowed ? conversation! : throw new LiveHelpException(ErrorCodes.NotFound, "conversation not found");
    }

    /// <summary>Whether the staff member wrote in the conversation (e.g. before handing it on): it is in their history.</summary>
    private async Task<bool> TookPartAsync(Caller staff, string conversationId) => staff.IsStaff
        && (await store.SearchHistoryAsync(new HistoryQuery { ConversationId = conversationId, ParticipantId = staff.Id, Limit = 1 })).Entries.Count > 0;

    /// <summary>
    /// Whether the staff member holds an open conversation with this visitor: then they may read the visitor's
    /// earlier conversations, whoever handled them, so the customer never has to repeat their story.
    /// </summary>
    public async Task<bool> IsServingAsync(Caller staff, string visitorId)
    {
        if (!staff.IsStaff || await router.Store.FindSeatAsync(staff.Id) is not { } seat)
        {
            return false;
        }
        foreach (var id in seat.Conversations)
        {
            if (await store.FindConversationAsync(id) is { } held && held.VisitorId == visitorId && held.IsOpen)
            {
                return true;
            }
        }
        return false;
    }

    internal static void RequireOpen(Conversation conversation)
    {
        if (!conversation.IsOpen)
        {
            throw new LiveHelpException(ErrorCodes.ConversationClosed, "the conversation is closed");
        }
    }

    internal static void RequireCustomer(Caller caller)
    {
        if (!caller.IsCustomer)
        {
            throw new LiveHelpException(ErrorCodes.Forbidden, "only customers can do this");
        }
    }

    internal static void RequireStaff(Caller caller)
    {
        if (!caller.IsStaff)
        {
            throw new LiveHelpException(ErrorCodes.Forbidden, "only agents can do this");
        }
    }

    /// <summary>Reads, changes and writes a conversation, retrying when another writer got there first.</summary>
    internal async Task<Conversation> UpdateAsync(string conversationId, Func<Conversation, Conversation> change)
    {
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var current = await store.FindConversationAsync(conversationId) ?? throw new LiveHelpException(ErrorCodes.NotFound, "conversation not found");
            if (await store.TryUpdateConversationAsync(change(current)) is { } updated)
            {
                return updated;
            }
        }
        throw new LiveHelpException(ErrorCodes.Conflict, "the conversation is being changed by someone else; try again");
    }

    internal async Task<ConversationView> StaffViewAsync(Conversation c) =>
        c.ToView((await store.FindVisitorAsync(c.VisitorId))?.UserId);

    internal async Task<Topic> FindTopicAsync(string topicId) =>
        TopicIn(await store.ListTopicsAsync(), topicId) ?? throw new LiveHelpException(ErrorCodes.UnknownTopic, $"there is no topic '{topicId}'");

    /// <summary>The topic of that id among <paramref name="topics"/>, ignoring case.</summary>
    internal static Topic? TopicIn(IEnumerable<Topic> topics, string topicId) =>
        topics.FirstOrDefault(t => string.Equals(t.Id, topicId, StringComparison.OrdinalIgnoreCase));

    internal async Task<Message> AppendNoteAsync(Caller staff, Conversation conversation, string? clientMessageId, string text, AppendRule rule)
    {
        var (message, added) = await store.AppendMessageAsync(
            new Message
            {
                ConversationId = conversation.Id,
                ClientMessageId = clientMessageId,
                Kind = MessageKind.Note,
                SenderId = staff.Id,
                SenderName = staff.Name,
                Text = text,
                SentAt = clock.GetUtcNow(),
            },
            rule);
        if (added)
        {
            await BroadcastAsync(conversation, message);
        }
        return message;
    }

    /// <summary>
    /// What the customer typed before the chat opens it, as their own first message at the time they asked: every
    /// client and transcript shows it. Their read mark covers it, for they wrote it; a stable client message id
    /// stores it once, however often this runs.
    /// </summary>
    internal async Task AppendQuestionAsync(Conversation conversation)
    {
        if (string.IsNullOrWhiteSpace(conversation.PreQualification.Details))
        {
            return;
        }
        var (message, added) = await store.AppendMessageAsync(
            new Message
            {
                ConversationId = conversation.Id,
                ClientMessageId = "question:" + conversation.Id,
                Kind = MessageKind.Customer,
                SenderId = conversation.VisitorId,
                SenderName = conversation.PreQualification.Name,
                Text = conversation.PreQualification.Details,
                SentAt = conversation.CreatedAt,
            },
            AppendRule.OpenToSender);
        if (added)
        {
            await store.MarkReadAsync(conversation.Id, byCustomer: true, message.Seq);
            await BroadcastAsync(conversation, message);
        }
    }

    internal async Task AppendSystemAsync(Conversation conversation, string text)
    {
        var (message, _) = await store.AppendMessageAsync(new Message
        {
            ConversationId = conversation.Id,
            Kind = MessageKind.System,
            Text = text,
            SentAt = clock.GetUtcNow(),
        });
        await BroadcastAsync(conversation, message);
    }

    /// <summary>Stored first (the caller did that), then sent: to the customer unless it is a note, the agent, and watchers.</summary>
    internal Task BroadcastAsync(Conversation conversation, Message message) =>
        SendToConversationAsync(conversation, c => c.message(message), includeCustomer: message.VisibleToCustomer);

    /// <param name="sent">The send as written (<c>c => c.message(message)</c>), which names the event in the log.</param>
    internal async Task SendToConversationAsync(Conversation conversation, Func<IHelpClient, Task> send, bool includeCustomer, string? exceptUser = null,
        [CallerArgumentExpression(nameof(send))] string sent = "")
    {
        var users = new List<string>(2);
        if (includeCustomer)
        {
            users.Add(conversation.VisitorId);
        }
        if (conversation.AgentId is { } agentId && agentId != exceptUser)
        {
            users.Add(agentId);
        }
        try
        {
            // With several nodes each send is a Redis publish: both go out at once rather than one round trip after the other.
            var watchers = send(hub.Clients.Group(WatchGroup(conversation.Id)));
            await Task.WhenAll(users.Count > 0 ? send(hub.Clients.Users(users)) : Task.CompletedTask, watchers);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // What was stored stays stored: when the backplane is back, clients are told to resync and fetch it.
            Log.DeliveryDeferred(log, conversation.Id, sent, e);
        }
    }
}
