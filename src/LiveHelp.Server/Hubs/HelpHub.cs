using LiveHelp.Core;
using LiveHelp.Core.Calls;
using LiveHelp.Core.Contracts;
using LiveHelp.Core.Conversations;
using LiveHelp.Server.Help;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace LiveHelp.Server.Hubs;

/// <summary>The one hub customers, devices and agents connect to. Method names: <see cref="Core.Contracts.Hub"/>; events: <see cref="IHelpClient"/>.</summary>
[Authorize]
public sealed class HelpHub(HelpQueue queue, Chat chat, CallDesk calls, QueuePlaces places, Presence presence, IOptions<LiveHelpOptions> options) : Hub<IHelpClient>
{
    // Clients send typing on changes and read marks on new messages: far below this even for an agent with several chats.
    private const double SignalsPerSecond = 5;
    private const int SignalBurst = 20;

    private Caller Caller => Caller.Of(Context.User);

    public override async Task OnConnectedAsync()
    {
        if (Caller.IsStaff && !await queue.AgentConnectedAsync(Caller))
        {
            // Failing the connection (rather than aborting it) closes it with an error, which clients take as final.
            throw new HubException("forbidden: this account is disabled");
        }
        if (Caller.IsCustomer)
        {
            await presence.CustomerConnectedAsync(Caller.Id);
            try
            {
                await places.CustomerConnectedAsync(Caller.Id, Context.ConnectionId);
            }
            catch
            {
                // A connection whose connect fails never disconnects: it must not stay counted.
                await presence.CustomerDisconnectedAsync(Caller.Id);
                throw;
            }
        }
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        if (Caller.IsStaff)
        {
            await queue.AgentDisconnectedAsync(Caller);
        }
        if (Caller.IsCustomer)
        {
            places.CustomerDisconnected(Caller.Id, Context.ConnectionId);
            await presence.CustomerDisconnectedAsync(Caller.Id);
        }
    }

    public Task<RequestHelpResult> RequestHelp(RequestHelpInput input)
    {
        Throttle();
        return queue.RequestHelpAsync(Caller, input ?? new RequestHelpInput());
    }

    public Task CancelHelp(string conversationId) => queue.CancelHelpAsync(Caller, conversationId);

    public Task LeaveMessage(OfflineMessageInput input)
    {
        Throttle();
        return chat.LeaveMessageAsync(Caller, input ?? new OfflineMessageInput());
    }

    public Task<Message> SendMessage(string conversationId, string? clientMessageId, string text)
    {
        Throttle();
        return chat.SendMessageAsync(Caller, conversationId, clientMessageId, text);
    }

    public Task Typing(string conversationId, bool isTyping)
    {
        // Typing and read marks each have an allowance of their own, so neither can use up the other or the messages.
        Throttle("TypingRate", SignalsPerSecond, SignalBurst, "too many typing notices; send one when typing starts and one when it stops");
        return chat.TypingAsync(Caller, conversationId, isTyping);
    }

    public Task MarkRead(string conversationId, long seq)
    {
        Throttle("ReadRate", SignalsPerSecond, SignalBurst, "too many read marks; mark what was read as new messages are shown, not more often");
        return chat.MarkReadAsync(Caller, conversationId, seq);
    }

    public Task SetPresence(string conversationId, CustomerPresence state)
    {
        Throttle("PresenceRate", SignalsPerSecond, SignalBurst, "too many presence reports; send one when the page is shown or hidden");
        return presence.ReportAsync(Caller, conversationId, state);
    }

    public Task<ResumeResult> Resume(string conversationId, long afterSeq) => chat.ResumeAsync(Caller, conversationId, afterSeq);

    public Task CloseConversation(string conversationId) => queue.CloseAsync(Caller, conversationId);

    public Task Rate(string conversationId, int rating, string? comment) => chat.RateAsync(Caller, conversationId, rating, comment);

    public Task<IReadOnlyList<ConversationView>> MyConversations() => chat.MyConversationsAsync(Caller);

    public Task SetStatus(AgentStatus status) => queue.SetStatusAsync(Caller, status);

    public Task<ConversationView> AcceptOffer(string conversationId) => queue.AcceptOfferAsync(Caller, conversationId);

    public Task DeclineOffer(string conversationId) => queue.DeclineOfferAsync(Caller, conversationId);

    public Task<Message> AddNote(string conversationId, string? clientMessageId, string text)
    {
        Throttle();
        return chat.AddNoteAsync(Caller, conversationId, clientMessageId, text);
    }

    public Task Transfer(string conversationId, TransferInput input) => queue.TransferAsync(Caller, conversationId, input ?? new TransferInput());

    public async Task<ResumeResult> Watch(string conversationId)
    {
        var transcript = await chat.WatchAsync(Caller, conversationId);
        await Groups.AddToGroupAsync(Context.ConnectionId, Conversations.WatchGroup(transcript.Conversation.Id));
        return transcript;
    }

    public Task<IReadOnlyList<QueueEntry>> GetQueue() => queue.GetQueueAsync(Caller);

    public Task<CallView> StartCall(string conversationId, CallProfile profile) => calls.StartCallAsync(Caller, conversationId, profile);

    public Task<CallView> AnswerCall(string conversationId, bool accept) => calls.AnswerCallAsync(Caller, conversationId, accept);

    public Task CallSignal(string conversationId, CallSignal signal) => calls.SignalAsync(Caller, conversationId, signal ?? new CallSignal());

    public Task<CallView> CallConnected(string conversationId) => calls.CallConnectedAsync(Caller, conversationId);

    public Task<CallView> SetScreenShare(string conversationId, ScreenShare screen) => calls.SetScreenShareAsync(Caller, conversationId, screen);

    public Task Annotate(string conversationId, Annotation annotation)
    {
        // Drawing has its own, larger allowance: a stroke is one call, and it must not use up the agent's messages.
        Throttle("AnnotationRate", 20, 40, "too many drawing strokes; slow down and try again in a moment");
        return calls.AnnotateAsync(Caller, conversationId, annotation ?? new Annotation());
    }

    public Task EndCall(string conversationId) => calls.EndCallAsync(Caller, conversationId);

    // Messages, notes, help requests and offline messages share one allowance.
    private void Throttle() => Throttle(nameof(MessageRate), options.Value.MessagesPerSecond, options.Value.MessageBurst,
        "too many messages, notes or help requests; slow down and try again in a moment");

    /// <param name="refusal">the explanation of the refusal, which names what was limited</param>
    private void Throttle(string bucketName, double perSecond, int burst, string refusal)
    {
        var bucket = (MessageRate)(Context.Items[bucketName] ??= new MessageRate(perSecond, burst, TimeProvider.System));
        if (!bucket.TryTake())
        {
            throw new LiveHelpException(ErrorCodes.RateLimited, refusal);
        }
    }
}
