namespace LiveHelp.Core.Conversations;

/// <summary>
/// A file sent in a conversation, as its message describes it; the bytes stay in the store. The file name is the
/// sender's and untrusted: text to show, never markup nor a path. The type is the one read from the bytes.
/// </summary>
public sealed record Attachment
{
    public required string Id { get; init; }
    public required string FileName { get; init; }
    public required string ContentType { get; init; }
    public long Size { get; init; }
}

/// <summary>An attachment with its bytes, as stored with its conversation.</summary>
public sealed record AttachmentContent
{
    public required string ConversationId { get; init; }
    public required Attachment Attachment { get; init; }

    /// <summary>The bytes as read from and written to the store; nobody edits them in place.</summary>
    public required byte[] Bytes { get; init; }

    public DateTimeOffset StoredAt { get; init; }
}
