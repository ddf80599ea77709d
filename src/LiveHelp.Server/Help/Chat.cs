using System.Collections.Concurrent;
using LiveHelp.Core;
using LiveHelp.Core.Contracts;
using LiveHelp.Core.Conversations;
using LiveHelp.Core.Routing;
using Microsoft.Extensions.Options;

namespace LiveHelp.Server.Help;

/// <summary>The talk inside a conversation: messages, notes, read marks, typing, catching up, rating; and offline messages.</summary>
public sealed class Chat(
    IConversationStore store,
    Router router,
    Conversations conversations,
    TimeProvider clock,
    IOptions<LiveHelpOptions> options,
    Telemetry.LiveHelpMetrics metrics)
{
    private const int ResumePage = 1000;
    private const int MaxCustomerNames = 100_000;

    private readonly ConcurrentDictionary<string, string?> customerNames = new(StringComparer.Ordinal);

    private LiveHelpOptions Options => options.Value;

    public async Task<Message> SendMessageAsync(Caller caller, string conversationId, string? clientMessageId, string text)
    {
        Validate.Text(text, Options.MaxMessageLength);
        Validate.Optional(clientMessageId, "clientMessageId", 128);
        Validate.Id(conversationId);
        return await SendAsync(caller, conversationId, clientMessageId, text, null);
    }

    /// <summary>
    /// Sends a file: the bytes are stored with the conversation, then a message naming the file goes out as any
    /// other does. Only the two sides of an open conversation may send one, of a type its bytes show it to be.
    /// </summary>
    public async Task<Message> SendAttachmentAsync(Caller caller, string conversationId, string? clientMessageId, string? fileName, byte[] bytes)
    {
        Validate.Optional(clientMessageId, "clientMessageId", 128);
        Conversations.RequireOpen(await conversations.FindAsync(caller, conversationId, Access.Participate));
        if (bytes.Length == 0)
        {
            throw new LiveHelpException(ErrorCodes.InvalidInput, "the file is empty");
        }
        if (bytes.Length > Options.MaxAttachmentSize)
        {
            throw AttachmentTypes.TooLarge(Options.MaxAttachmentSize);
        }
        var type = AttachmentTypes.Sniff(bytes)
            ?? throw new LiveHelpException(ErrorCodes.UnsupportedType, "only PNG, JPEG, GIF and WebP images and PDF files can be sent");
        var name = AttachmentTypes.FileName(fileName, type);
        Validate.Optional(name, "fileName", AttachmentTypes.MaxFileNameLength);
        var attachment = new Attachment { Id = Ids.New("f"), FileName = name, ContentType = type, Size = bytes.Length };
        await store.AddAttachmentAsync(new AttachmentContent
        {
            ConversationId = conversationId,
            Attachment = attachment,
            Bytes = bytes,
            StoredAt = clock.GetUtcNow(),
        });
        Message message;
        try
        {
            message = await SendAsync(caller, conversationId, clientMessageId, name, attachment);
        }
        catch (LiveHelpException)
        {
            // Closed or handed over in between: no message shows the file, so nobody may fetch it.
            await store.DeleteAttachmentAsync(conversationId, attachment.Id);
            throw;
        }
        if (message.Attachment?.Id != attachment.Id)
        {
            // A retried upload: the first one's message stands, and this copy is not needed.
            await store.DeleteAttachmentAsync(conversationId, attachment.Id);
        }
        return message;
    }

    private async Task<Message> SendAsync(Caller caller, string conversationId, string? clientMessageId, string text, Attachment? attachment)
    {
        AppendedMessage appended;
        try
        {
            // The append checks, as it stores, that the caller takes part and the conversation is open, and returns
            // the conversation that broadcasting needs: no read before it.
            appended = await store.AppendMessageAsync(
                new Message
                {
                    ConversationId = conversationId,
                    ClientMessageId = clientMessageId,
                    Kind = caller.IsCustomer ? MessageKind.Customer : MessageKind.Agent,
                    SenderId = caller.Id,
                    SenderName = caller.IsCustomer ? await CustomerNameAsync(caller, conversationId) : caller.Name,
                    Text = text,
                    SentAt = clock.GetUtcNow(),
                    Attachment = attachment,
                },
                AppendRule.OpenToSender);
        }
        catch (LiveHelpException refusal) when (clientMessageId is not null && IsLostConversation(refusal))
        {
            return await StoredRetryAsync(caller, conversationId, clientMessageId, refusal);
        }
        var (message, added) = appended;
        if (added)
        {
            metrics.MessageSent(caller.IsCustomer);
            await conversations.BroadcastAsync(appended.Conversation, message);
            if (!caller.IsCustomer && appended.Conversation.FirstAgentReplyAt is null)
            {
                await conversations.UpdateAsync(conversationId, c => c.AgentReplied(message.SentAt));
            }
        }
        return message;
    }

    /// <summary>The conversation, if the caller takes part in it (the customer who owns it, the agent who holds it).</summary>
    public Task<Conversation> ConversationAsync(Caller caller, string conversationId) =>
        conversations.FindAsync(caller, conversationId, Access.Participate);

    /// <summary>The file, for whoever may read its conversation (its two sides, supervisors, an agent serving its visitor).</summary>
    public async Task<AttachmentContent> ReadAttachmentAsync(Caller caller, string conversationId, string attachmentId)
    {
        var conversation = await conversations.FindAsync(caller, conversationId, Access.Read);
        return (attachmentId.Length <= 64 ? await store.FindAttachmentAsync(conversation.Id, attachmentId) : null)
            ?? throw new LiveHelpException(ErrorCodes.NotFound, "attachment not found");
    }

    /// <summary>
    /// The name the customer gave when asking for help, which their messages carry. It never changes, so it is
    /// kept; the first send of a conversation reads it, checking (as the append will again) that it is theirs and open.
    /// </summary>
    private async Task<string?> CustomerNameAsync(Caller customer, string conversationId)
    {
        if (customerNames.TryGetValue(conversationId, out var name))
        {
            return name;
        }
        var conversation = await conversations.FindAsync(customer, conversationId, Access.Participate);
        Conversations.RequireOpen(conversation);
        if (customerNames.Count >= MaxCustomerNames)
        {
            // Only a cache: dropping it all now and then costs one read per conversation, and bounds the memory.
            customerNames.Clear();
        }
        customerNames[conversationId] = conversation.PreQualification.Name;
        return conversation.PreQualification.Name;
    }

    public async Task<Message> AddNoteAsync(Caller staff, string conversationId, string? clientMessageId, string text)
    {
        Conversations.RequireStaff(staff);
        Validate.Text(text, Options.MaxMessageLength);
        Validate.Optional(clientMessageId, "clientMessageId", 128);
        Validate.Id(conversationId);
        try
        {
            var conversation = await conversations.FindAsync(staff, conversationId, Access.Act);
            Conversations.RequireOpen(conversation);
            return await conversations.AppendNoteAsync(staff, conversation, clientMessageId, text, AppendRule.Open);
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
        var conversation = await conversations.FindAsync(caller, conversationId, Access.Participate);
        Conversations.RequireOpen(conversation);
        var notice = new TypingNotice(conversation.Id, caller.IsCustomer ? Roles.Customer : Roles.Agent, caller.IsCustomer ? null : caller.Name, isTyping);
        await conversations.SendToConversationAsync(conversation, c => c.typing(notice), includeCustomer: !caller.IsCustomer, exceptUser: caller.Id);
    }

    public async Task MarkReadAsync(Caller caller, string conversationId, long seq)
    {
        if (seq < 0)
        {
            throw new LiveHelpException(ErrorCodes.InvalidInput, "seq must not be negative");
        }
        var conversation = await conversations.FindAsync(caller, conversationId, Access.Participate);
        // A mark past the last message stops at it; one that does not move tells the other side nothing new.
        if (await store.MarkReadAsync(conversation.Id, caller.IsCustomer, seq) is not { } mark)
        {
            return;
        }
        var notice = new ReadNotice(conversation.Id, caller.IsCustomer ? Roles.Customer : Roles.Agent, mark);
        await conversations.SendToConversationAsync(conversation, c => c.read(notice), includeCustomer: !caller.IsCustomer, exceptUser: caller.Id);
    }

    /// <summary>What the caller missed after <paramref name="afterSeq"/> (at most one page; call again from the last seq for more).</summary>
    public async Task<ResumeResult> ResumeAsync(Caller caller, string conversationId, long afterSeq)
    {
        if (afterSeq < 0)
        {
            throw new LiveHelpException(ErrorCodes.InvalidInput, "afterSeq must not be negative");
        }
        var conversation = await conversations.FindAsync(caller, conversationId, Access.Read);
        var messages = await store.ReadMessagesAsync(conversation.Id, afterSeq, ResumePage);
        return caller.IsCustomer
            ? new ResumeResult(conversation.ToView(), messages.Where(m => m.VisibleToCustomer).ToList())
            : new ResumeResult((await conversations.StaffViewAsync(conversation)).For(caller), messages);
    }

    public async Task RateAsync(Caller customer, string conversationId, int rating, string? comment)
    {
        Conversations.RequireCustomer(customer);
        Validate.Optional(comment, "comment", 2000);
        var conversation = await conversations.FindAsync(customer, conversationId, Access.Participate);
        var rated = await conversations.UpdateAsync(conversation.Id, c => c.Rate(rating, comment));
        var notice = new ConversationRated(rated.Id, rating, comment);
        await conversations.SendToConversationAsync(rated, c => c.conversationRated(notice), includeCustomer: false);
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
                views.Add(await conversations.StaffViewAsync(c));
            }
        }
        return views;
    }

    public async Task LeaveMessageAsync(Caller customer, OfflineMessageInput input)
    {
        Conversations.RequireCustomer(customer);
        Validate.Text(input.Text, Options.MaxMessageLength);
        Validate.Optional(input.Topic, "topic", 64);
        Validate.Optional(input.Name, "name", 200);
        Validate.Optional(input.Email, "email", 320);
        if (input.Topic is not null)
        {
            await conversations.FindTopicAsync(input.Topic);
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
        Conversations.RequireStaff(staff);
        return await ResumeAsync(staff, conversationId, 0);
    }
}
