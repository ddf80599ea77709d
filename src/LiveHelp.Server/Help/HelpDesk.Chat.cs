using System.Runtime.CompilerServices;
using LiveHelp.Core;
using LiveHelp.Core.Contracts;
using LiveHelp.Core.Conversations;

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

public sealed partial class HelpDesk
{
    private const int ResumePage = 1000;

    public async Task<Message> SendMessageAsync(Caller caller, string conversationId, string? clientMessageId, string text)
    {
        Validate.Text(text, Options.MaxMessageLength);
        Validate.Optional(clientMessageId, "clientMessageId", 128);
        Validate.Id(conversationId);
        Conversation conversation;
        Message message;
        bool added;
        try
        {
            conversation = await FindAsync(caller, conversationId, Access.Participate);
            RequireOpen(conversation);
            // The read above is what broadcasting needs; the append checks again, as it stores, that the caller may.
            (message, added) = await store.AppendMessageAsync(
                new Message
                {
                    ConversationId = conversation.Id,
                    ClientMessageId = clientMessageId,
                    Kind = caller.IsCustomer ? MessageKind.Customer : MessageKind.Agent,
                    SenderId = caller.Id,
                    SenderName = caller.IsCustomer ? conversation.PreQualification.Name : caller.Name,
                    Text = text,
                    SentAt = clock.GetUtcNow(),
                },
                AppendRule.OpenToSender);
        }
        catch (LiveHelpException refusal) when (clientMessageId is not null && IsLostConversation(refusal))
        {
            return await StoredRetryAsync(caller, conversationId, clientMessageId, refusal);
        }
        if (added)
        {
            await BroadcastAsync(conversation, message);
            if (!caller.IsCustomer && conversation.FirstAgentReplyAt is null)
            {
                await UpdateAsync(conversation.Id, c => c.AgentReplied(message.SentAt));
            }
        }
        return message;
    }

    public async Task<Message> AddNoteAsync(Caller staff, string conversationId, string? clientMessageId, string text)
    {
        RequireStaff(staff);
        Validate.Text(text, Options.MaxMessageLength);
        Validate.Optional(clientMessageId, "clientMessageId", 128);
        Validate.Id(conversationId);
        try
        {
            var conversation = await FindAsync(staff, conversationId, Access.Act);
            RequireOpen(conversation);
            return await AppendNoteAsync(staff, conversation, clientMessageId, text, AppendRule.Open);
        }
        catch (LiveHelpException refusal) when (clientMessageId is not null && IsLostConversation(refusal))
        {
            return await StoredRetryAsync(staff, conversationId, clientMessageId, refusal);
        }
    }

    private static bool IsLostConversation(LiveHelpException refusal) =>
        refusal.Code is ErrorCodes.NotFound or ErrorCodes.ConversationClosed;

    /// <summary>
    /// A retried write whose first attempt was stored gets that message back, though the writer has lost the
    /// conversation since (requeued, transferred) or it closed. The lookup is by sender, so nobody else finds it.
    /// </summary>
    private async Task<Message> StoredRetryAsync(Caller caller, string conversationId, string clientMessageId, LiveHelpException refusal) =>
        await store.FindSentMessageAsync(conversationId, caller.Id, clientMessageId) ?? throw refusal;

    public async Task TypingAsync(Caller caller, string conversationId, bool isTyping)
    {
        var conversation = await FindAsync(caller, conversationId, Access.Participate);
        RequireOpen(conversation);
        var notice = new TypingNotice(conversation.Id, caller.IsCustomer ? Roles.Customer : Roles.Agent, caller.IsCustomer ? null : caller.Name, isTyping);
        await SendToConversationAsync(conversation, c => c.typing(notice), includeCustomer: !caller.IsCustomer, exceptUser: caller.Id);
    }

    public async Task MarkReadAsync(Caller caller, string conversationId, long seq)
    {
        if (seq < 0)
        {
            throw new LiveHelpException(ErrorCodes.InvalidInput, "seq must not be negative");
        }
        var conversation = await FindAsync(caller, conversationId, Access.Participate);
        // A mark past the last message stops at it; one that does not move tells the other side nothing new.
        if (await store.MarkReadAsync(conversation.Id, caller.IsCustomer, seq) is not { } mark)
        {
            return;
        }
        var notice = new ReadNotice(conversation.Id, caller.IsCustomer ? Roles.Customer : Roles.Agent, mark);
        await SendToConversationAsync(conversation, c => c.read(notice), includeCustomer: !caller.IsCustomer, exceptUser: caller.Id);
    }

    /// <summary>What the caller missed after <paramref name="afterSeq"/> (at most one page; call again from the last seq for more).</summary>
    public async Task<ResumeResult> ResumeAsync(Caller caller, string conversationId, long afterSeq)
    {
        if (afterSeq < 0)
        {
            throw new LiveHelpException(ErrorCodes.InvalidInput, "afterSeq must not be negative");
        }
        var conversation = await FindAsync(caller, conversationId, Access.Read);
        var messages = await store.ReadMessagesAsync(conversation.Id, afterSeq, ResumePage);
        return caller.IsCustomer
            ? new ResumeResult(conversation.ToView(), messages.Where(m => m.VisibleToCustomer).ToList())
            : new ResumeResult(await StaffViewAsync(conversation), messages);
    }

    public async Task RateAsync(Caller customer, string conversationId, int rating, string? comment)
    {
        RequireCustomer(customer);
        Validate.Optional(comment, "comment", 2000);
        var conversation = await FindAsync(customer, conversationId, Access.Participate);
        await UpdateAsync(conversation.Id, c => c.Rate(rating, comment));
    }

    /// <summary>A customer's conversations, or the open conversations an agent holds (e.g. after a reload).</summary>
    public async Task<IReadOnlyList<ConversationView>> MyConversationsAsync(Caller caller)
    {
        if (caller.IsCustomer)
        {
            return (await store.ListConversationsByVisitorAsync(caller.Id)).Select(c => c.ToView()).ToList();
        }
        var seat = await router.Store.FindSeatAsync(caller.Id);
        var views = new List<ConversationView>();
        foreach (var id in seat?.Conversations ?? new HashSet<string>())
        {
            if (await store.FindConversationAsync(id) is { } c)
            {
                views.Add(await StaffViewAsync(c));
            }
        }
        return views;
    }

    public async Task LeaveMessageAsync(Caller customer, OfflineMessageInput input)
    {
        RequireCustomer(customer);
        Validate.Text(input.Text, Options.MaxMessageLength);
        Validate.Optional(input.Topic, "topic", 64);
        Validate.Optional(input.Name, "name", 200);
        Validate.Optional(input.Email, "email", 320);
        if (input.Topic is not null)
        {
            await FindTopicAsync(input.Topic);
        }
        await store.AddOfflineMessageAsync(new OfflineMessage
        {
            Id = Ids.New("m"),
            VisitorId = customer.Id,
            Topic = input.Topic,
            Name = input.Name,
            Email = input.Email,
            Text = input.Text,
            CreatedAt = clock.GetUtcNow(),
        });
    }

    /// <summary>Supervisors: the whole transcript so far; the hub then adds the connection to the watchers.</summary>
    public async Task<ResumeResult> WatchAsync(Caller staff, string conversationId)
    {
        RequireStaff(staff);
        return await ResumeAsync(staff, conversationId, 0);
    }

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
                || (access == Access.Read && await IsServingAsync(caller, conversation.VisitorId)));
        return allowed ? conversation! : throw new LiveHelpException(ErrorCodes.NotFound, "conversation not found");
    }

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

    private async Task AddNoteTextAsync(Caller staff, Conversation conversation, string? note)
    {
        if (!string.IsNullOrWhiteSpace(note))
        {
            // Part of a transfer, which has already decided on the conversation: the note goes in as it is.
            await AppendNoteAsync(staff, conversation, null, note, AppendRule.Any);
        }
    }

    private async Task<Message> AppendNoteAsync(Caller staff, Conversation conversation, string? clientMessageId, string text, AppendRule rule)
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

    private async Task AppendSystemAsync(Conversation conversation, string text)
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
    private Task BroadcastAsync(Conversation conversation, Message message) =>
        SendToConversationAsync(conversation, c => c.message(message), includeCustomer: message.VisibleToCustomer);

    /// <param name="sent">The send as written (<c>c => c.message(message)</c>), which names the event in the log.</param>
    private async Task SendToConversationAsync(Conversation conversation, Func<IHelpClient, Task> send, bool includeCustomer, string? exceptUser = null,
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
            if (users.Count > 0)
            {
                await send(hub.Clients.Users(users));
            }
            await send(hub.Clients.Group(WatchGroup(conversation.Id)));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // What was stored stays stored: when the backplane is back, clients are told to resync and fetch it.
            Log.DeliveryDeferred(log, conversation.Id, sent, e);
        }
    }
}
