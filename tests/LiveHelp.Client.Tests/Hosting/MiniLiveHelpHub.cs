using LiveHelp.Core;
using LiveHelp.Core.Contracts;
using LiveHelp.Core.Conversations;
using Microsoft.AspNetCore.SignalR;

namespace LiveHelp.Client.Tests.Hosting;

/// <summary>
/// A small but real LiveHelp hub: the contract's method names, arguments and events, with just enough behaviour to
/// exercise the typed clients. Tokens are "visitor:{id}" and "agent:{id}".
/// </summary>
public sealed class MiniLiveHelpHub(MiniStore store) : Hub<IHelpClient>
{
    public const string DropAfterStore = "drop-after-store";

    private string Caller
    {
        get
        {
            var request = Context.GetHttpContext()!.Request;
            var token = request.Query["access_token"].ToString();
            return token.Length > 0 ? token : request.Headers.Authorization.ToString().Replace("Bearer ", "", StringComparison.Ordinal);
        }
    }

    private bool IsAgent => Caller.StartsWith("agent:", StringComparison.Ordinal);

    private string CallerId => Caller[(Caller.IndexOf(':', StringComparison.Ordinal) + 1)..];

    private string Role => IsAgent ? Roles.Agent : Roles.Customer;

    private static string Group(string conversationId) => "conv:" + conversationId;

    public async Task<RequestHelpResult> RequestHelp(RequestHelpInput input)
    {
        if (string.IsNullOrWhiteSpace(input.Topic))
        {
            throw new HubException($"{ErrorCodes.InvalidInput}: A topic is required.");
        }
        var view = store.Create(input, CallerId);
        await Groups.AddToGroupAsync(Context.ConnectionId, Group(view.Id));
        var place = new QueueUpdate(view.Id, 1, 30, view.CreatedAt);
        await Clients.Caller.queueUpdate(place);
        return new RequestHelpResult(RequestHelpStatus.Queued, view, place);
    }

    public void CancelHelp(string conversationId) =>
        store.Update(conversationId, c => c with { Status = ConversationStatus.Cancelled });

    public void LeaveMessage(OfflineMessageInput input) => store.AddOffline(input);

    public async Task<Message> SendMessage(string conversationId, string clientMessageId, string text)
    {
        var (message, added) = store.Append(conversationId, IsAgent ? MessageKind.Agent : MessageKind.Customer, CallerId, clientMessageId, text);
        if (text == DropAfterStore && added)
        {
            // The transport goes with no close message, as when a node crashes or the network is cut.
            Context.GetHttpContext()!.Abort();
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(5), Context.ConnectionAborted);
            }
            catch (OperationCanceledException)
            {
            }
            return message;
        }
        if (added)
        {
            await Clients.Group(Group(conversationId)).message(message);
        }
        return message;
    }

    public Task Typing(string conversationId, bool isTyping) =>
        Clients.OthersInGroup(Group(conversationId)).typing(new TypingNotice(conversationId, Role, CallerId, isTyping));

    public Task MarkRead(string conversationId, long seq) =>
        Clients.OthersInGroup(Group(conversationId)).read(new ReadNotice(conversationId, Role, seq));

    public async Task<ResumeResult> Resume(string conversationId, long afterSeq)
    {
        if (store.ResumeFails())
        {
            throw new InvalidOperationException("the store is unreachable");
        }
        var view = store.Get(conversationId);
        await Groups.AddToGroupAsync(Context.ConnectionId, Group(conversationId));
        return new ResumeResult(view, store.Messages(conversationId, afterSeq, includeNotes: IsAgent));
    }

    public async Task CloseConversation(string conversationId)
    {
        store.Update(conversationId, c => c with { Status = ConversationStatus.Closed, ClosedBy = Role, ClosedAt = DateTimeOffset.UtcNow });
        await Clients.Group(Group(conversationId)).conversationClosed(new ConversationClosed(conversationId, Role));
    }

    public void Rate(string conversationId, int rating, string? comment)
    {
        if (rating is < 1 or > 5)
        {
            throw new HubException($"{ErrorCodes.RatingOutOfRange}: A rating is 1 to 5.");
        }
        store.Update(conversationId, c => c with { Rating = rating, RatingComment = comment });
    }

    public IReadOnlyList<ConversationView> MyConversations() => store.ByVisitor(CallerId);

    public Task SetStatus(AgentStatus status) =>
        Clients.Caller.statusChanged(new StatusChanged(status, "requested"));

    public IReadOnlyList<QueueEntry> GetQueue() =>
        store.Queued().Select((c, i) => new QueueEntry(c, i + 1, 30 * (i + 1), null)).ToArray();

    public async Task<ConversationView> AcceptOffer(string conversationId)
    {
        if (!IsAgent)
        {
            throw new HubException($"{ErrorCodes.Forbidden}: Agents only.");
        }
        var view = store.Update(conversationId, c => c with { Status = ConversationStatus.Active, AgentId = CallerId, AgentName = "Agent " + CallerId });
        await Groups.AddToGroupAsync(Context.ConnectionId, Group(conversationId));
        await Clients.Group(Group(conversationId)).agentJoined(new AgentJoined(conversationId, CallerId, view.AgentName!, view.CreatedAt));
        return view;
    }

    public void DeclineOffer(string conversationId) => store.Get(conversationId);

    /// <summary>Not LiveHelp's: a place from the conversation's first stay in the queue, as a late one would arrive, then one from a stay after a requeue.</summary>
    public async Task SendPlacesAfterJoin(string conversationId)
    {
        var view = store.Get(conversationId);
        await Clients.Caller.queueUpdate(new QueueUpdate(conversationId, 2, 60, view.CreatedAt));
        await Clients.Caller.queueUpdate(new QueueUpdate(conversationId, 1, 30, view.CreatedAt.AddSeconds(5)));
    }

    public async Task<Message> AddNote(string conversationId, string clientMessageId, string text)
    {
        var (message, added) = store.Append(conversationId, MessageKind.Note, CallerId, clientMessageId, text);
        if (added)
        {
            await Clients.Caller.message(message);
        }
        return message;
    }

    public async Task Transfer(string conversationId, TransferInput input)
    {
        store.Update(conversationId, c => c with { Status = ConversationStatus.Queued, AgentId = null, AgentName = null, Topic = input.ToTopic ?? c.Topic });
        await Groups.RemoveFromGroupAsync(Context.ConnectionId, Group(conversationId));
    }

    public async Task<ResumeResult> Watch(string conversationId)
    {
        await Groups.AddToGroupAsync(Context.ConnectionId, Group(conversationId));
        return new ResumeResult(store.Get(conversationId), store.Messages(conversationId, 0, includeNotes: true));
    }

    /// <summary>Test control: store messages the caller does not get live, then drop the caller's connection.</summary>
    public void DropMe(string conversationId, int missed)
    {
        for (var i = 1; i <= missed; i++)
        {
            store.Append(conversationId, MessageKind.Agent, "someone", null, $"missed {i}");
        }
        Context.GetHttpContext()!.Abort();
    }

    /// <summary>Test control: store messages the caller does not get live, then tell it to resync (as after a Redis outage).</summary>
    public Task MissThenResync(string conversationId, int missed, int failingResumes)
    {
        for (var i = 1; i <= missed; i++)
        {
            store.Append(conversationId, MessageKind.Agent, "someone", null, $"missed {i}");
        }
        store.FailResumes(failingResumes);
        return Clients.Caller.resync();
    }
}
