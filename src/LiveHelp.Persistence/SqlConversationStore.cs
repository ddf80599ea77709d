using System.Data.Common;
using System.Runtime.CompilerServices;
using LiveHelp.Core;
using LiveHelp.Core.Accounts;
using LiveHelp.Core.Conversations;
using static LiveHelp.Persistence.SqlRecords;

namespace LiveHelp.Persistence;

/// <summary>
/// What the SQLite and PostgreSQL stores share: every operation whose SQL is the same in both, on the tables of
/// <see cref="SqlRecords"/>. Each operation opens a pooled connection of its own and runs plain parameterised SQL.
/// A store adds how it connects, its schema, how it numbers messages, and what its database errors mean.
/// </summary>
public abstract partial class SqlConversationStore : IConversationStore
{
    private protected const string OpenFilter =
        $"status IN ('{nameof(ConversationStatus.Queued)}', '{nameof(ConversationStatus.Active)}')";

    private protected SqlConversationStore()
    {
    }

    /// <summary>The database behind this store, as its calls are measured: sqlite or postgresql.</summary>
    private protected abstract string Kind { get; }

    /// <summary>
    /// The statement that closes all but one open conversation of each visitor (the one an agent holds, else the
    /// newest), so that the unique index on open conversations per visitor can be made on data written before it.
    /// </summary>
    internal static string CloseDuplicateOpenConversations(string nowTicks) => $"""
        UPDATE conversations
        SET status = '{nameof(ConversationStatus.Closed)}', closed_by = 'system', closed_at = {nowTicks}, closed_at_offset = 0,
            version = version + 1
        WHERE id IN (
            SELECT id FROM (
                SELECT id, ROW_NUMBER() OVER (
                    PARTITION BY visitor_id
                    ORDER BY status = '{nameof(ConversationStatus.Active)}' DESC, created_at DESC, id DESC) AS place
                FROM conversations
                WHERE {OpenFilter}) AS ranked
            WHERE place > 1);
        """;

    /// <summary>
    /// The migration that keeps sent files with their conversations: their bytes in <c>attachments</c>, and on a
    /// message, as JSON, the attachment it sends.
    /// </summary>
    internal static string AddAttachments(string key, string text, string integer, string bytes, string strict) => $"""
        ALTER TABLE messages ADD COLUMN attachment {text};

        CREATE TABLE attachments (
            conversation_id  {key}     NOT NULL REFERENCES conversations (id),
            id               {key}     NOT NULL,
            file_name        {text}    NOT NULL,
            content_type     {text}    NOT NULL,
            size             {integer} NOT NULL,
            content          {bytes}   NOT NULL,
            stored_at        {integer} NOT NULL,
            stored_at_offset {integer} NOT NULL,
            PRIMARY KEY (conversation_id, id)
        ){strict};
        """;

    /// <summary>The SQL function that returns the larger of two values.</summary>
    private protected abstract string Greatest { get; }

    /// <summary>The condition that the conversation row <c>conversations</c> matches the search text <c>@q</c>.</summary>
    private protected abstract string TextMatch { get; }

    /// <summary>An expression: a short excerpt of the conversation's first text that matches <c>@q</c>.</summary>
    private protected abstract string TextSnippet { get; }

    /// <summary>What the text search needs before the SELECT (a WITH clause), if anything.</summary>
    private protected virtual string TextPrelude => "";

    /// <summary>The customer's search words as the database's text search wants them in <c>@q</c>.</summary>
    private protected virtual string SearchText(string text) => text;

    public abstract Task InitializeAsync(CancellationToken ct = default);

    public abstract Task<AppendedMessage> AppendMessageAsync(Message message, AppendRule rule = AppendRule.Any, CancellationToken ct = default);

    /// <summary>An open connection from the store's pool, or <see cref="OperationCanceledException"/> if <paramref name="ct"/> is cancelled.</summary>
    private protected abstract Task<DbConnection> OpenConnectionAsync(CancellationToken ct);

    /// <summary>True when <paramref name="e"/> is a primary-key or unique violation.</summary>
    private protected abstract bool IsDuplicateKey(DbException e);

    /// <summary>True when <paramref name="e"/> says a text holds a character the database cannot store.</summary>
    private protected virtual bool IsUnstorableText(Exception e) => false;

    public async Task<string> GetOrAddSettingAsync(string key, string value, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        await ExecuteAsync(
            $"{Settings.Insert()} ON CONFLICT (key) DO NOTHING;",
            c =>
            {
                c.SetText("key", key);
                c.SetText("value", value);
            },
            ct);
        return await FindSettingAsync(key, ct) ?? throw new InvalidOperationException($"Setting '{key}' vanished after it was stored.");
    }

    public Task<string?> FindSettingAsync(string key, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return QuerySingleAsync($"{Settings.Select} WHERE key = @key;", c => c.SetText("key", key), r => r.GetText("value"), ct);
    }

    public async Task SetSettingAsync(string key, string value, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        await ExecuteAsync(
            $"{Settings.Insert()} ON CONFLICT (key) DO UPDATE SET value = excluded.value;",
            c =>
            {
                c.SetText("key", key);
                c.SetText("value", value);
            },
            ct);
    }

    public async Task<bool> TryAddAgentAsync(AgentAccount agent, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(agent);
        var added = await ExecuteAsync(
            $"{Agents.Insert()} ON CONFLICT (username_key) DO NOTHING;", c => Bind(c, agent), ct, "agent");
        return added == 1;
    }

    public Task<AgentAccount?> FindAgentAsync(string id, CancellationToken ct = default) =>
        QuerySingleAsync($"{Agents.Select} WHERE id = @id;", c => c.SetText("id", id), ReadAgent, ct);

    public Task<AgentAccount?> FindAgentByUsernameAsync(string username, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(username);
        return QuerySingleAsync(
            $"{Agents.Select} WHERE username_key = @username_key;",
            c => c.SetText("username_key", UsernameKey(username)),
            ReadAgent,
            ct);
    }

    public Task<IReadOnlyList<AgentAccount>> ListAgentsAsync(CancellationToken ct = default) =>
        QueryAsync($"{Agents.Select} ORDER BY username_key, id;", null, ReadAgent, ct);

    public async Task UpdateAgentAsync(AgentAccount agent, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(agent);
        var updated = await ExecuteAsync(
            $"UPDATE agents SET {Agents.Assignments()} WHERE id = @id;", c => Bind(c, agent), ct, "agent username");
        ThrowIfNotFound(updated, "agent", agent.Id);
    }

    public Task<IReadOnlyList<Topic>> ListTopicsAsync(CancellationToken ct = default) =>
        QueryAsync($"{Topics.Select} ORDER BY name, id;", null, ReadTopic, ct);

    public async Task UpsertTopicAsync(Topic topic, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        await ExecuteAsync(
            $"{Topics.Insert()} ON CONFLICT (id) DO UPDATE SET {Topics.Assignments(c => "excluded." + c)};",
            c => Bind(c, topic),
            ct);
    }

    public async Task AddVisitorAsync(Visitor visitor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(visitor);
        await ExecuteAsync($"{Visitors.Insert()};", c => Bind(c, visitor), ct, "visitor");
    }

    public Task<Visitor?> FindVisitorAsync(string id, CancellationToken ct = default) =>
        QuerySingleAsync($"{Visitors.Select} WHERE id = @id;", c => c.SetText("id", id), ReadVisitor, ct);

    public Task<Visitor?> FindVisitorByUserIdAsync(string userId, CancellationToken ct = default) =>
        QuerySingleAsync(
            $"{Visitors.Select} WHERE user_id = @user_id ORDER BY created_at, id LIMIT 1;",
            c => c.SetText("user_id", userId),
            ReadVisitor,
            ct);

    public async Task UpdateVisitorAsync(Visitor visitor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(visitor);
        var updated = await ExecuteAsync(
            $"UPDATE visitors SET {Visitors.Assignments()} WHERE id = @id;", c => Bind(c, visitor), ct);
        ThrowIfNotFound(updated, "visitor", visitor.Id);
    }

    public async Task<Conversation> AddConversationAsync(Conversation conversation, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        while (true)
        {
            // The unique index on open conversations per visitor decides between two nodes adding at once.
            var added = await ExecuteAsync(
                $"{Conversations.Insert()} ON CONFLICT (visitor_id) WHERE {OpenFilter} DO NOTHING;", c => Bind(c, conversation), ct, "conversation");
            if (added == 1)
            {
                return conversation;
            }
            var open = await QuerySingleAsync(
                $"{Conversations.Select} WHERE visitor_id = @visitor_id AND {OpenFilter};",
                c => c.SetText("visitor_id", conversation.VisitorId),
                ReadConversation,
                ct);
            if (open?.Id == conversation.Id)
            {
                throw new LiveHelpException(ErrorCodes.Conflict, "The conversation already exists.");
            }
            if (open is not null)
            {
                return open;
            }
            // The open one closed in between: try again.
        }
    }

    public Task<Conversation?> FindConversationAsync(string id, CancellationToken ct = default) =>
        QuerySingleAsync($"{Conversations.Select} WHERE id = @id;", c => c.SetText("id", id), ReadConversation, ct);

    public async Task<Conversation?> TryUpdateConversationAsync(Conversation conversation, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        var assignments = Conversations.Assignments(column => column switch
        {
            "customer_read_seq" => $"{Greatest}(customer_read_seq, @customer_read_seq)",
            "agent_read_seq" => $"{Greatest}(agent_read_seq, @agent_read_seq)",
            "version" => "version + 1",
            _ => KeepPresence(column),
        });
        using var turn = await EnterWriteAsync(ct);
        return await QuerySingleAsync(
            $"UPDATE conversations SET {assignments} WHERE id = @id AND version = @version RETURNING {Conversations.ColumnList};",
            c => Bind(c, conversation),
            ReadConversation,
            ct);
    }

    public Task<IReadOnlyList<Conversation>> ListConversationsByVisitorAsync(string visitorId, CancellationToken ct = default) =>
        QueryAsync(
            $"{Conversations.Select} WHERE visitor_id = @visitor_id ORDER BY created_at DESC, id DESC;",
            c => c.SetText("visitor_id", visitorId),
            ReadConversation,
            ct);

    public async Task MoveConversationsAsync(string fromVisitorId, string toVisitorId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(fromVisitorId);
        ArgumentNullException.ThrowIfNull(toVisitorId);
        // A visitor has one open conversation at most: an open one stays where it is if the other has one too.
        await ExecuteAsync(
            $"""
            UPDATE conversations SET visitor_id = @to, version = version + 1
            WHERE visitor_id = @from
              AND NOT ({OpenFilter} AND EXISTS (SELECT 1 FROM conversations AS held WHERE held.visitor_id = @to AND held.{OpenFilter}));
            """,
            c =>
            {
                c.SetText("from", fromVisitorId);
                c.SetText("to", toVisitorId);
            },
            ct);
    }

    public Task<IReadOnlyList<Conversation>> ListOpenConversationsAsync(CancellationToken ct = default) =>
        QueryAsync($"{Conversations.Select} WHERE {OpenFilter} ORDER BY created_at, id;", null, ReadConversation, ct);

    public Task<Message?> FindSentMessageAsync(string conversationId, string senderId, string clientMessageId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(senderId);
        ArgumentNullException.ThrowIfNull(clientMessageId);
        return QuerySingleAsync(
            $"{Messages.Select} WHERE {SentFilter(senderId)};",
            c =>
            {
                c.SetText("conversation_id", conversationId);
                c.SetText("sender_id", senderId);
                c.SetText("client_message_id", clientMessageId);
            },
            ReadMessage,
            ct);
    }

    public async Task<IReadOnlyList<Message>> ReadMessagesAsync(
        string conversationId, long afterSeq, int limit, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return await QueryAsync(
            $"{Messages.Select} WHERE conversation_id = @conversation_id AND seq > @seq ORDER BY seq LIMIT @limit;",
            c =>
            {
                c.SetText("conversation_id", conversationId);
                c.SetInteger("seq", afterSeq);
                c.SetInteger("limit", limit);
            },
            ReadMessage,
            ct);
    }

    public async Task<long?> MarkReadAsync(string conversationId, bool byCustomer, long seq, CancellationToken ct = default)
    {
        var column = byCustomer ? "customer_read_seq" : "agent_read_seq";
        using var turn = await EnterWriteAsync(ct);
        // The mark becomes the last message at or before seq, so a mark past the end stops at the last message.
        var marks = await QueryAsync(
            $"""
            UPDATE conversations SET {column} = mark.seq
            FROM (SELECT MAX(seq) AS seq FROM messages WHERE conversation_id = @id AND seq <= @seq) AS mark
            WHERE id = @id AND {column} < mark.seq
            RETURNING {column};
            """,
            c =>
            {
                c.SetText("id", conversationId);
                c.SetInteger("seq", seq);
            },
            r => r.GetInteger(column),
            ct);
        return marks.Count == 0 ? null : marks[0];
    }

    public async Task AddAttachmentAsync(AttachmentContent content, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        await ExecuteAsync($"{Attachments.Insert()};", c => Bind(c, content), ct, "attachment");
    }

    public Task<AttachmentContent?> FindAttachmentAsync(string conversationId, string attachmentId, CancellationToken ct = default) =>
        QuerySingleAsync(
            $"{Attachments.Select} WHERE conversation_id = @conversation_id AND id = @id;",
            c =>
            {
                c.SetText("conversation_id", conversationId);
                c.SetText("id", attachmentId);
            },
            ReadAttachment,
            ct);

    public async Task DeleteAttachmentAsync(string conversationId, string attachmentId, CancellationToken ct = default) =>
        await ExecuteAsync(
            "DELETE FROM attachments WHERE conversation_id = @conversation_id AND id = @id;",
            c =>
            {
                c.SetText("conversation_id", conversationId);
                c.SetText("id", attachmentId);
            },
            ct);

    public async Task AddOfflineMessageAsync(OfflineMessage message, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        await ExecuteAsync($"{OfflineMessages.Insert()};", c => Bind(c, message), ct, "offline message");
    }

    public Task<IReadOnlyList<OfflineMessage>> ListOfflineMessagesAsync(CancellationToken ct = default) =>
        QueryAsync($"{OfflineMessages.Select} ORDER BY created_at DESC, id DESC;", null, ReadOfflineMessage, ct);

    public async Task<HistoryPage> SearchHistoryAsync(HistoryQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(query.Limit, HistoryQuery.MaxLimit);
        var text = string.IsNullOrWhiteSpace(query.Text) ? null : SearchText(query.Text.Trim());
        var filters = new List<string>();
        void Add(bool when, string condition)
        {
            if (when)
            {
                filters.Add(condition);
            }
        }
        Add(text is not null, TextMatch);
        Add(query.ConversationId is not null, "id = @id");
        Add(query.Topic is not null, "topic = @topic");
        Add(query.AgentId is not null, "agent_id = @agent_id");
        Add(query.Status is not null, "status = @status");
        Add(query.From is not null, "created_at >= @from");
        Add(query.To is not null, "created_at < @to");
        Add(query.Rating is not null, "rating = @rating");
        Add(query.Mode is HistoryMode.Chat or HistoryMode.Mayday, "mode = @mode");
        Add(query.Mode is HistoryMode.Call, $"""
            EXISTS (SELECT 1 FROM messages WHERE messages.conversation_id = conversations.id
                AND messages.kind = '{nameof(MessageKind.System)}' AND messages.text LIKE '{LiveHelp.Core.Calls.CallRules.StartedNoticePattern}')
            """);
        // A staff member took part in a conversation they hold now, or in which they wrote (a message or a note).
        Add(query.ParticipantId is not null, """
            (agent_id = @participant OR EXISTS (SELECT 1 FROM messages
                WHERE messages.conversation_id = conversations.id AND messages.sender_id = @participant))
            """);
        Add(query.After is not null, "(created_at < @after_at OR (created_at = @after_at AND id < @after_id))");
        // The page is chosen first, so the name and the excerpt are looked up for its rows only, not for every match.
        var where = filters.Count == 0 ? "" : "WHERE " + string.Join("\n  AND ", filters);
        var entries = await QueryAsync(
            $"""
            {(text is null ? "" : TextPrelude)}
            SELECT {Conversations.ColumnList},
                (SELECT name FROM visitors WHERE visitors.id = conversations.visitor_id) AS customer_name,
                {(text is null ? "NULL" : TextSnippet)} AS snippet
            FROM (SELECT * FROM conversations {where} ORDER BY created_at DESC, id DESC LIMIT @limit) AS conversations
            ORDER BY created_at DESC, id DESC;
            """,
            c =>
            {
                c.SetText("q", text);
                c.SetText("id", query.ConversationId);
                c.SetText("topic", query.Topic);
                c.SetText("agent_id", query.AgentId);
                c.SetText("status", query.Status?.ToString());
                c.SetInteger("from", query.From?.UtcTicks);
                c.SetInteger("to", query.To?.UtcTicks);
                c.SetInteger("rating", query.Rating);
                c.SetText("mode", query.Mode?.ToString());
                c.SetText("participant", query.ParticipantId);
                c.SetInteger("after_at", query.After?.CreatedAt.UtcTicks);
                c.SetText("after_id", query.After?.ConversationId);
                c.SetInteger("limit", query.Limit + 1);
            },
            r =>
            {
                var conversation = ReadConversation(r);
                return new HistoryEntry(
                    conversation, r.GetNullableText("customer_name") ?? conversation.PreQualification.Name, r.GetNullableText("snippet"));
            },
            ct);
        if (entries.Count <= query.Limit)
        {
            return new HistoryPage(entries, null);
        }
        var page = entries.Take(query.Limit).ToList();
        return new HistoryPage(page, new HistoryCursor(page[^1].Conversation.CreatedAt, page[^1].Conversation.Id));
    }

    /// <summary>
    /// The refusal that a failed statement means, if any: a duplicate key becomes <see cref="ErrorCodes.Conflict"/>
    /// naming <paramref name="conflictSubject"/> (when given), a text the database cannot store
    /// <see cref="ErrorCodes.InvalidInput"/>.
    /// </summary>
    private protected LiveHelpException? Refusal(Exception e, string? conflictSubject = null)
    {
        if (conflictSubject is not null && e is DbException dbException && IsDuplicateKey(dbException))
        {
            return new LiveHelpException(ErrorCodes.Conflict, $"The {conflictSubject} already exists.");
        }

        return IsUnstorableText(e)
            ? new LiveHelpException(ErrorCodes.InvalidInput, "The text holds a character that cannot be stored.")
            : null;
    }

    /// <summary>Waits until this store may write, when its database takes one writer at a time; null when it needs no turn.</summary>
    private protected virtual Task<IDisposable?> EnterWriteAsync(CancellationToken ct) => Task.FromResult<IDisposable?>(null);

    /// <summary>Runs one statement and returns the number of rows it changed.</summary>
    private protected async Task<int> ExecuteAsync(
        string sql, Action<DbCommand> bind, CancellationToken ct, string? conflictSubject = null, [CallerMemberName] string operation = "")
    {
        using var call = StoreTelemetry.Start(Kind, operation);
        using var turn = await EnterWriteAsync(ct);
        await using var connection = await OpenConnectionAsync(ct);
        await using var command = connection.Command(sql);
        bind(command);
        try
        {
            return await command.ExecuteNonQueryAsync(ct);
        }
        catch (Exception e) when (Refusal(e, conflictSubject) is { } refusal)
        {
            throw refusal;
        }
    }

    private protected async Task<IReadOnlyList<T>> QueryAsync<T>(
        string sql, Action<DbCommand>? bind, Func<DbDataReader, T> read, CancellationToken ct, [CallerMemberName] string operation = "")
    {
        using var call = StoreTelemetry.Start(Kind, operation);
        await using var connection = await OpenConnectionAsync(ct);
        await using var command = connection.Command(sql);
        bind?.Invoke(command);
        try
        {
            await using var reader = await command.ExecuteReaderAsync(ct);
            var rows = new List<T>();
            while (await reader.ReadAsync(ct))
            {
                rows.Add(read(reader));
            }

            return rows;
        }
        catch (Exception e) when (Refusal(e) is { } refusal)
        {
            throw refusal;
        }
    }

    private protected async Task<T?> QuerySingleAsync<T>(
        string sql, Action<DbCommand> bind, Func<DbDataReader, T> read, CancellationToken ct, [CallerMemberName] string operation = "")
        where T : class
    {
        using var call = StoreTelemetry.Start(Kind, operation);
        await using var connection = await OpenConnectionAsync(ct);
        await using var command = connection.Command(sql);
        bind(command);
        try
        {
            return await ReadFirstAsync(command, read, ct);
        }
        catch (Exception e) when (Refusal(e) is { } refusal)
        {
            throw refusal;
        }
    }

    /// <summary>
    /// Why <paramref name="rule"/> keeps <paramref name="message"/> out of <paramref name="conversation"/> (null when
    /// it lets it in). A conversation the sender takes no part in gets the answer of one that does not exist.
    /// </summary>
    private protected static LiveHelpException? AppendRefusal(Conversation? conversation, Message message, AppendRule rule)
    {
        if (conversation is null || (rule == AppendRule.OpenToSender && !TakesPart(conversation, message)))
        {
            return new LiveHelpException(ErrorCodes.NotFound, "conversation not found");
        }

        return rule != AppendRule.Any && !conversation.IsOpen
            ? new LiveHelpException(ErrorCodes.ConversationClosed, "the conversation is closed")
            : null;
    }

    /// <summary>A customer message from the conversation's visitor, or any other from the agent who holds it.</summary>
    private static bool TakesPart(Conversation conversation, Message message) =>
        message.SenderId is not null
        && message.SenderId == (message.Kind == MessageKind.Customer ? conversation.VisitorId : conversation.AgentId);

    /// <summary>The WHERE condition that finds the message a sender sent in a conversation under a client message id.</summary>
    private protected static string SentFilter(string? senderId) =>
        $"conversation_id = @conversation_id AND {(senderId is null ? "sender_id IS NULL" : "sender_id = @sender_id")} AND client_message_id = @client_message_id";

    /// <summary>The message this sender already sent with the same client message id (a retried send), if any.</summary>
    private protected static async Task<Message?> FindSentAsync(DbConnection connection, DbTransaction transaction, Message message, CancellationToken ct)
    {
        await using var find = connection.Command($"{Messages.Select} WHERE {SentFilter(message.SenderId)};", transaction);
        Bind(find, message);
        return await ReadFirstAsync(find, ReadMessage, ct);
    }

    private protected static async Task<T?> ReadFirstAsync<T>(DbCommand command, Func<DbDataReader, T> read, CancellationToken ct)
        where T : class
    {
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? read(reader) : null;
    }

    private static void ThrowIfNotFound(int affected, string subject, string id)
    {
        if (affected == 0)
        {
            throw new LiveHelpException(ErrorCodes.NotFound, $"No {subject} with id '{id}'.");
        }
    }
}
