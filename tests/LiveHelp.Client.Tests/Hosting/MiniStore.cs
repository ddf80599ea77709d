using LiveHelp.Core;
using LiveHelp.Core.Contracts;
using LiveHelp.Core.Conversations;

namespace LiveHelp.Client.Tests.Hosting;

/// <summary>The state of the small LiveHelp server the typed clients are tested against.</summary>
public sealed class MiniStore
{
    private readonly object _gate = new();
    private readonly Dictionary<string, ConversationView> _conversations = [];
    private readonly Dictionary<string, List<Message>> _messages = [];
    private readonly List<RequestHelpInput> _requests = [];
    private readonly List<OfflineMessageInput> _offline = [];
    private int _nextConversation;
    private int _nextVisitor;
    private int _failingResumes;

    public IReadOnlyList<RequestHelpInput> Requests
    {
        get
        {
            lock (_gate)
            {
                return _requests.ToArray();
            }
        }
    }

    public IReadOnlyList<OfflineMessageInput> OfflineMessages
    {
        get
        {
            lock (_gate)
            {
                return _offline.ToArray();
            }
        }
    }

    /// <summary><paramref name="count"/> more Resume calls fail as a server fault would (store unreachable).</summary>
    public void FailResumes(int count) => Interlocked.Add(ref _failingResumes, count);

    public bool ResumeFails() => Interlocked.Decrement(ref _failingResumes) >= 0;

    public string NewVisitorId() => "v" + Interlocked.Increment(ref _nextVisitor);

    public ConversationView Create(RequestHelpInput input, string visitorId)
    {
        lock (_gate)
        {
            _requests.Add(input);
            var view = new ConversationView
            {
                Id = "c" + ++_nextConversation,
                Topic = input.Topic,
                Mode = input.Mode,
                Status = ConversationStatus.Queued,
                PreQualification = new PreQualification
                {
                    Details = input.Details,
                    Name = input.Name,
                    Email = input.Email,
                    DeviceModel = input.DeviceModel,
                    DeviceOs = input.DeviceOs,
                    AppVersion = input.AppVersion,
                },
                VisitorId = visitorId,
                CreatedAt = DateTimeOffset.UtcNow,
            };
            _conversations[view.Id] = view;
            _messages[view.Id] = [];
            return view;
        }
    }

    public ConversationView Get(string conversationId)
    {
        lock (_gate)
        {
            return _conversations.TryGetValue(conversationId, out var view)
                ? view
                : throw new Microsoft.AspNetCore.SignalR.HubException($"{ErrorCodes.NotFound}: No such conversation.");
        }
    }

    public ConversationView Update(string conversationId, Func<ConversationView, ConversationView> change)
    {
        lock (_gate)
        {
            var view = change(Get(conversationId));
            _conversations[conversationId] = view;
            return view;
        }
    }

    public IReadOnlyList<ConversationView> ByVisitor(string visitorId)
    {
        lock (_gate)
        {
            return _conversations.Values.Where(c => c.VisitorId == visitorId).OrderByDescending(c => c.CreatedAt).ToArray();
        }
    }

    public IReadOnlyList<ConversationView> Queued()
    {
        lock (_gate)
        {
            return _conversations.Values.Where(c => c.Status == ConversationStatus.Queued).OrderBy(c => c.CreatedAt).ToArray();
        }
    }

    /// <summary>Stores a message with the next sequence number, once per (conversation, sender, client message id).</summary>
    public (Message Message, bool Added) Append(string conversationId, MessageKind kind, string senderId, string? clientMessageId, string text)
    {
        lock (_gate)
        {
            var view = Get(conversationId);
            if (view.Status is ConversationStatus.Closed or ConversationStatus.Cancelled)
            {
                throw new Microsoft.AspNetCore.SignalR.HubException($"{ErrorCodes.ConversationClosed}: The conversation is closed.");
            }
            var messages = _messages[conversationId];
            if (clientMessageId is not null
                && messages.FirstOrDefault(m => m.SenderId == senderId && m.ClientMessageId == clientMessageId) is { } earlier)
            {
                return (earlier, false);
            }
            var message = new Message
            {
                ConversationId = conversationId,
                Seq = messages.Count + 1,
                ClientMessageId = clientMessageId,
                Kind = kind,
                SenderId = senderId,
                SenderName = senderId,
                Text = text,
                SentAt = DateTimeOffset.UtcNow,
            };
            messages.Add(message);
            return (message, true);
        }
    }

    public IReadOnlyList<Message> Messages(string conversationId, long afterSeq, bool includeNotes)
    {
        lock (_gate)
        {
            return _messages[conversationId].Where(m => m.Seq > afterSeq && (includeNotes || m.Kind != MessageKind.Note)).ToArray();
        }
    }

    public void AddOffline(OfflineMessageInput input)
    {
        lock (_gate)
        {
            _offline.Add(input);
        }
    }
}
