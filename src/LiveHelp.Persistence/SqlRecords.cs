using System.Data.Common;
using System.Text.Json;
using LiveHelp.Core;
using LiveHelp.Core.Accounts;
using LiveHelp.Core.Conversations;
using static LiveHelp.Persistence.SqlValueExtensions;

namespace LiveHelp.Persistence;

/// <summary>
/// How each record maps to its table, the same in every database: the column list, the parameters it binds and
/// how a row reads back.
/// </summary>
internal static class SqlRecords
{
    public static readonly SqlTable Settings = new("settings", "key", ["key", "value"]);

    public static readonly SqlTable Agents = new("agents", "id",
    [
        "id", "username", "username_key", "display_name", "password_hash", "role", "skills", "max_concurrent",
        "auto_accept", "disabled", .. TimestampColumns("created_at"),
    ]);

    public static readonly SqlTable Topics = new("topics", "id", ["id", "name", "skill"]);

    public static readonly SqlTable Visitors = new("visitors", "id",
        ["id", "user_id", "name", "email", .. TimestampColumns("created_at")]);

    public static readonly SqlTable Conversations = new("conversations", "id",
    [
        "id", "visitor_id", "topic", "mode", "status", "pre_qualification",
        .. TimestampColumns("created_at"), .. TimestampColumns("enqueued_at"), "requeued", "agent_id", "agent_name",
        .. TimestampColumns("first_assigned_at"), .. TimestampColumns("first_agent_reply_at"),
        .. TimestampColumns("closed_at"), "closed_by", "rating", "rating_comment", "customer_read_seq",
        "agent_read_seq", "version", "customer_presence", .. TimestampColumns("customer_presence_at"),
    ]);

    /// <summary>
    /// In an UPDATE of the whole conversation, keeps its customer presence as stored: only the presence statements
    /// change it, so a write from a copy read before the customer came or went cannot undo that.
    /// </summary>
    public static string? KeepPresence(string column) =>
        column is "customer_presence" or "customer_presence_at" or "customer_presence_at_offset" ? column : null;

    public static readonly SqlTable Messages = new("messages", "seq",
    [
        "conversation_id", "seq", "client_message_id", "kind", "sender_id", "sender_name", "text",
        .. TimestampColumns("sent_at"), "attachment",
    ]);

    public static readonly SqlTable Attachments = new("attachments", "id",
        ["conversation_id", "id", "file_name", "content_type", "size", "content", .. TimestampColumns("stored_at")]);

    public static readonly SqlTable OfflineMessages = new("offline_messages", "id",
        ["id", "visitor_id", "topic", "name", "email", "text", .. TimestampColumns("created_at")]);

    /// <summary>The case-insensitive form of a username that the unique index is on.</summary>
    public static string UsernameKey(string username) => username.ToUpperInvariant();

    public static void Bind(DbCommand command, AgentAccount agent)
    {
        command.SetText("id", agent.Id);
        command.SetText("username", agent.Username);
        command.SetText("username_key", UsernameKey(agent.Username));
        command.SetText("display_name", agent.DisplayName);
        command.SetText("password_hash", agent.PasswordHash);
        command.SetText("role", agent.Role);
        command.SetJson("skills", agent.Skills.ToArray(), PersistenceJsonContext.Stored.StringArray);
        command.SetInteger("max_concurrent", agent.MaxConcurrent);
        command.SetBoolean("auto_accept", agent.AutoAccept);
        command.SetBoolean("disabled", agent.Disabled);
        command.SetTimestamp("created_at", agent.CreatedAt);
    }

    public static AgentAccount ReadAgent(DbDataReader reader) => new()
    {
        Id = reader.GetText("id"),
        Username = reader.GetText("username"),
        DisplayName = reader.GetText("display_name"),
        PasswordHash = reader.GetText("password_hash"),
        Role = reader.GetText("role"),
        Skills = reader.GetJson("skills", PersistenceJsonContext.Stored.StringArray),
        MaxConcurrent = (int)reader.GetInteger("max_concurrent"),
        AutoAccept = reader.GetBoolean("auto_accept"),
        Disabled = reader.GetBoolean("disabled"),
        CreatedAt = reader.GetTimestamp("created_at"),
    };

    public static void Bind(DbCommand command, Topic topic)
    {
        command.SetText("id", topic.Id);
        command.SetText("name", topic.Name);
        command.SetText("skill", topic.Skill);
    }

    public static Topic ReadTopic(DbDataReader reader) =>
        new(reader.GetText("id"), reader.GetText("name"), reader.GetText("skill"));

    public static void Bind(DbCommand command, Visitor visitor)
    {
        command.SetText("id", visitor.Id);
        command.SetText("user_id", visitor.UserId);
        command.SetText("name", visitor.Name);
        command.SetText("email", visitor.Email);
        command.SetTimestamp("created_at", visitor.CreatedAt);
    }

    public static Visitor ReadVisitor(DbDataReader reader) => new()
    {
        Id = reader.GetText("id"),
        UserId = reader.GetNullableText("user_id"),
        Name = reader.GetNullableText("name"),
        Email = reader.GetNullableText("email"),
        CreatedAt = reader.GetTimestamp("created_at"),
    };

    public static void Bind(DbCommand command, Conversation conversation)
    {
        command.SetText("id", conversation.Id);
        command.SetText("visitor_id", conversation.VisitorId);
        command.SetText("topic", conversation.Topic);
        command.SetEnum("mode", conversation.Mode);
        command.SetEnum("status", conversation.Status);
        command.SetJson("pre_qualification", conversation.PreQualification, PersistenceJsonContext.Stored.PreQualification);
        command.SetTimestamp("created_at", conversation.CreatedAt);
        command.SetTimestamp("enqueued_at", conversation.EnqueuedAt);
        command.SetBoolean("requeued", conversation.Requeued);
        command.SetText("agent_id", conversation.AgentId);
        command.SetText("agent_name", conversation.AgentName);
        command.SetTimestamp("first_assigned_at", conversation.FirstAssignedAt);
        command.SetTimestamp("first_agent_reply_at", conversation.FirstAgentReplyAt);
        command.SetTimestamp("closed_at", conversation.ClosedAt);
        command.SetText("closed_by", conversation.ClosedBy);
        command.SetInteger("rating", conversation.Rating);
        command.SetText("rating_comment", conversation.RatingComment);
        command.SetInteger("customer_read_seq", conversation.CustomerReadSeq);
        command.SetInteger("agent_read_seq", conversation.AgentReadSeq);
        command.SetInteger("version", conversation.Version);
        command.SetEnum("customer_presence", conversation.Presence);
        command.SetTimestamp("customer_presence_at", conversation.PresenceSince);
    }

    public static Conversation ReadConversation(DbDataReader reader) => new()
    {
        Id = reader.GetText("id"),
        VisitorId = reader.GetText("visitor_id"),
        Topic = reader.GetText("topic"),
        Mode = reader.GetEnum<HelpMode>("mode"),
        Status = reader.GetEnum<ConversationStatus>("status"),
        PreQualification = reader.GetJson("pre_qualification", PersistenceJsonContext.Stored.PreQualification),
        CreatedAt = reader.GetTimestamp("created_at"),
        EnqueuedAt = reader.GetTimestamp("enqueued_at"),
        Requeued = reader.GetBoolean("requeued"),
        AgentId = reader.GetNullableText("agent_id"),
        AgentName = reader.GetNullableText("agent_name"),
        FirstAssignedAt = reader.GetNullableTimestamp("first_assigned_at"),
        FirstAgentReplyAt = reader.GetNullableTimestamp("first_agent_reply_at"),
        ClosedAt = reader.GetNullableTimestamp("closed_at"),
        ClosedBy = reader.GetNullableText("closed_by"),
        Rating = (int?)reader.GetNullableInteger("rating"),
        RatingComment = reader.GetNullableText("rating_comment"),
        CustomerReadSeq = reader.GetInteger("customer_read_seq"),
        AgentReadSeq = reader.GetInteger("agent_read_seq"),
        Version = (int)reader.GetInteger("version"),
        Presence = reader.GetEnum<CustomerPresence>("customer_presence"),
        PresenceSince = reader.GetTimestamp("customer_presence_at"),
    };

    public static void Bind(DbCommand command, Message message)
    {
        command.SetText("conversation_id", message.ConversationId);
        command.SetInteger("seq", message.Seq);
        command.SetText("client_message_id", message.ClientMessageId);
        command.SetEnum("kind", message.Kind);
        command.SetText("sender_id", message.SenderId);
        command.SetText("sender_name", message.SenderName);
        command.SetText("text", message.Text);
        command.SetTimestamp("sent_at", message.SentAt);
        command.SetText("attachment", message.Attachment is { } attachment
            ? JsonSerializer.Serialize(attachment, PersistenceJsonContext.Stored.Attachment)
            : null);
    }

    public static Message ReadMessage(DbDataReader reader) => new()
    {
        ConversationId = reader.GetText("conversation_id"),
        Seq = reader.GetInteger("seq"),
        ClientMessageId = reader.GetNullableText("client_message_id"),
        Kind = reader.GetEnum<MessageKind>("kind"),
        SenderId = reader.GetNullableText("sender_id"),
        SenderName = reader.GetNullableText("sender_name"),
        Text = reader.GetText("text"),
        SentAt = reader.GetTimestamp("sent_at"),
        Attachment = reader.GetNullableText("attachment") is { } attachment
            ? JsonSerializer.Deserialize(attachment, PersistenceJsonContext.Stored.Attachment)
            : null,
    };

    public static void Bind(DbCommand command, AttachmentContent content)
    {
        command.SetText("conversation_id", content.ConversationId);
        command.SetText("id", content.Attachment.Id);
        command.SetText("file_name", content.Attachment.FileName);
        command.SetText("content_type", content.Attachment.ContentType);
        command.SetInteger("size", content.Attachment.Size);
        command.SetBytes("content", content.Bytes);
        command.SetTimestamp("stored_at", content.StoredAt);
    }

    public static AttachmentContent ReadAttachment(DbDataReader reader) => new()
    {
        ConversationId = reader.GetText("conversation_id"),
        Attachment = new Attachment
        {
            Id = reader.GetText("id"),
            FileName = reader.GetText("file_name"),
            ContentType = reader.GetText("content_type"),
            Size = reader.GetInteger("size"),
        },
        Bytes = reader.GetBytes("content"),
        StoredAt = reader.GetTimestamp("stored_at"),
    };

    public static void Bind(DbCommand command, OfflineMessage message)
    {
        command.SetText("id", message.Id);
        command.SetText("visitor_id", message.VisitorId);
        command.SetText("topic", message.Topic);
        command.SetText("name", message.Name);
        command.SetText("email", message.Email);
        command.SetText("text", message.Text);
        command.SetTimestamp("created_at", message.CreatedAt);
    }

    public static OfflineMessage ReadOfflineMessage(DbDataReader reader) => new()
    {
        Id = reader.GetText("id"),
        VisitorId = reader.GetText("visitor_id"),
        Topic = reader.GetNullableText("topic"),
        Name = reader.GetNullableText("name"),
        Email = reader.GetNullableText("email"),
        Text = reader.GetText("text"),
        CreatedAt = reader.GetTimestamp("created_at"),
    };
}
