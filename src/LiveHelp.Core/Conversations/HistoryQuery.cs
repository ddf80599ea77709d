namespace LiveHelp.Core.Conversations;

/// <summary>How help was given, as the history filters it: a chat, a one-tap mayday, or any conversation that had a call.</summary>
public enum HistoryMode
{
    Chat,
    Mayday,
    Call,
}

/// <summary>Where a page of history ends: the last conversation shown, in the newest-first order.</summary>
public sealed record HistoryCursor(DateTimeOffset CreatedAt, string ConversationId)
{
    /// <summary>Opaque to clients: the UTC ticks and the id.</summary>
    public override string ToString() => $"{CreatedAt.UtcTicks}.{ConversationId}";

    public static HistoryCursor? Parse(string? text)
    {
        var dot = text?.IndexOf('.', StringComparison.Ordinal) ?? -1;
        if (text is null || dot <= 0 || dot == text.Length - 1
            || !long.TryParse(text.AsSpan(0, dot), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ticks)
            || ticks > DateTimeOffset.MaxValue.UtcTicks)
        {
            return null;
        }
        return new HistoryCursor(new DateTimeOffset(ticks, TimeSpan.Zero), text[(dot + 1)..]);
    }
}

/// <summary>
/// A search of past (and current) conversations, newest first. Every filter left null matches all; the text matches
/// the conversation's messages (notes included), its details, and the offline messages its visitor left.
/// </summary>
public sealed record HistoryQuery
{
    public const int MaxLimit = 200;

    /// <summary>Words that must all appear (a word matches its English stem, "refunds" finds "refund").</summary>
    public string? Text { get; init; }

    /// <summary>Only this conversation: whether one conversation passes the other filters.</summary>
    public string? ConversationId { get; init; }
    public string? Topic { get; init; }
    public string? AgentId { get; init; }
    public ConversationStatus? Status { get; init; }

    /// <summary>Started at or after.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Started before.</summary>
    public DateTimeOffset? To { get; init; }
    public int? Rating { get; init; }
    public HistoryMode? Mode { get; init; }

    /// <summary>Only conversations this staff member took part in: held, or sent a message in. Null: all.</summary>
    public string? ParticipantId { get; init; }
    public HistoryCursor? After { get; init; }
    public int Limit { get; init; } = 50;
}

/// <summary>One conversation found, with the customer's name and, for a text search, the text that matched.</summary>
public sealed record HistoryEntry(Conversation Conversation, string? CustomerName, string? Snippet);

/// <summary>A page of history; <see cref="Next"/> is null on the last page.</summary>
public sealed record HistoryPage(IReadOnlyList<HistoryEntry> Entries, HistoryCursor? Next);
