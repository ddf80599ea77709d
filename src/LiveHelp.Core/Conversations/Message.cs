namespace LiveHelp.Core.Conversations;

public enum MessageKind
{
    Customer,
    Agent,

    /// <summary>Internal note between staff; never sent to the customer.</summary>
    Note,

    /// <summary>Said by LiveHelp itself: who joined, transfers, connection changes.</summary>
    System,
}

/// <summary>A stored line of a transcript; <see cref="Seq"/> is assigned by the store, gap-free per conversation.</summary>
public sealed record Message
{
    public required string ConversationId { get; init; }
    public long Seq { get; init; }
    public string? ClientMessageId { get; init; }
    public MessageKind Kind { get; init; }
    public string? SenderId { get; init; }
    public string? SenderName { get; init; }
    public required string Text { get; init; }
    public DateTimeOffset SentAt { get; init; }

    /// <summary>The file this message sends, if any; its <see cref="Text"/> is then the file's name.</summary>
    public Attachment? Attachment { get; init; }

    public bool VisibleToCustomer => Kind != MessageKind.Note;
}
