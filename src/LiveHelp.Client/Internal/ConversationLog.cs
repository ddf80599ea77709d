using LiveHelp.Core.Conversations;

namespace LiveHelp.Client.Internal;

/// <summary>
/// What a client has seen of each conversation it takes part in: the messages by sequence number (so each is raised
/// once, whether it came live or through Resume), the highest sequence seen, and whether it is still open.
/// </summary>
internal sealed class ConversationLog
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>Starts following a conversation, or updates whether it is open (closed ones are not resumed).</summary>
    public void Track(string conversationId, bool open)
    {
        lock (_gate)
        {
            GetOrAdd(conversationId).Open = open;
        }
    }

    /// <summary>Starts following a conversation an event names, unless it is known already (an event may arrive after a cancel).</summary>
    public void Notice(string conversationId)
    {
        lock (_gate)
        {
            _ = GetOrAdd(conversationId);
        }
    }

    /// <summary>Records a message; false when this (conversation, seq) was seen before.</summary>
    public bool Add(Message message)
    {
        lock (_gate)
        {
            var entry = GetOrAdd(message.ConversationId);
            return entry.Messages.TryAdd(message.Seq, message);
        }
    }

    public long LastSeq(string conversationId)
    {
        lock (_gate)
        {
            return _entries.TryGetValue(conversationId, out var entry) && entry.Messages.Count > 0 ? entry.Messages.Keys[^1] : 0;
        }
    }

    public IReadOnlyList<Message> Transcript(string conversationId)
    {
        lock (_gate)
        {
            return _entries.TryGetValue(conversationId, out var entry) ? [.. entry.Messages.Values] : [];
        }
    }

    public IReadOnlyList<string> OpenConversations()
    {
        lock (_gate)
        {
            return [.. _entries.Where(e => e.Value.Open).Select(e => e.Key)];
        }
    }

    private Entry GetOrAdd(string conversationId)
    {
        if (!_entries.TryGetValue(conversationId, out var entry))
        {
            entry = new Entry();
            _entries[conversationId] = entry;
        }
        return entry;
    }

    private sealed class Entry
    {
        public SortedList<long, Message> Messages { get; } = new();
        public bool Open { get; set; } = true;
    }
}
