using System.Globalization;
using System.Text.RegularExpressions;
using LiveHelp.Core;
using LiveHelp.Core.Calls;
using LiveHelp.Core.Contracts;
using LiveHelp.Core.Conversations;
using LiveHelp.Server.Hubs;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace LiveHelp.Server.Help;

/// <summary>
/// Calls upgraded in place from a conversation. The hub relays signalling only between the two participants of
/// the conversation's live call; anyone else gets the same not-found answer as for a call that does not exist.
/// </summary>
public sealed partial class CallDesk(
    IConversationStore store,
    ICallStore calls,
    Conversations conversations,
    IHubContext<HelpHub, IHelpClient> hub,
    TimeProvider clock,
    IOptions<LiveHelpOptions> options)
{
    private const int MaxSdpLength = 32 * 1024;
    private const int MaxCandidateLength = 2048;
    private const int MaxAnnotationPoints = 1000;

    private LiveHelpOptions Options => options.Value;

    public async Task<CallView> StartCallAsync(Caller caller, string conversationId, CallProfile profile)
    {
        if (!Enum.IsDefined(profile))
        {
            throw new LiveHelpException(ErrorCodes.InvalidInput, "profile must be voice, video or mayday");
        }
        var conversation = await conversations.FindAsync(caller, conversationId, Access.Participate);
        Conversations.RequireOpen(conversation);
        if (conversation.Status != ConversationStatus.Active)
        {
            throw new LiveHelpException(ErrorCodes.InvalidInput, "a call can start once an agent has joined");
        }
        return CallView.Of(await StartCallAsync(conversation, profile, caller.IsCustomer ? Roles.Customer : Roles.Agent, caller.IsCustomer ? "The customer" : caller.Name));
    }

    public async Task<CallView> AnswerCallAsync(Caller caller, string conversationId, bool accept)
    {
        var (conversation, call) = await LiveCallAsync(caller, conversationId);
        if (call.StartedBy == SideOf(caller) || call.State != CallState.Ringing)
        {
            throw new LiveHelpException(ErrorCodes.InvalidInput, "only the other side can answer a ringing call");
        }
        var now = clock.GetUtcNow();
        if (!accept)
        {
            await EndCallAsync(conversation, call, CallRules.Declined);
            return CallView.Of(CallRules.End(call, CallRules.Declined, now));
        }
        var answered = await UpdateCallAsync(call, c => CallRules.Answer(c, now));
        await conversations.SendToConversationAsync(conversation, c => c.callUpdated(CallView.Of(answered)), includeCustomer: true);
        return CallView.Of(answered);
    }

    public async Task SignalAsync(Caller caller, string conversationId, CallSignal signal)
    {
        var (conversation, call) = await LiveCallAsync(caller, conversationId);
        if (signal.CallId != call.Id)
        {
            throw new LiveHelpException(ErrorCodes.NotFound, "call not found");
        }
        switch (signal.Kind)
        {
            case "offer" or "answer" when signal.Sdp is { Length: > 0 and <= MaxSdpLength } && signal.Candidate is null:
            case "candidate" when signal.Candidate is { Length: > 0 and <= MaxCandidateLength } && signal.Sdp is null:
                break;
            default:
                throw new LiveHelpException(ErrorCodes.InvalidInput, "a signal is an offer or answer with its sdp, or one candidate");
        }
        var relayed = signal with { ConversationId = conversation.Id, From = SideOf(caller) };
        await hub.Clients.User(OtherSide(caller, conversation)).callSignal(relayed);
    }

    /// <summary>A side's media is connected: the first report connects the call, later ones keep it from counting as lost.</summary>
    public async Task<CallView> CallConnectedAsync(Caller caller, string conversationId)
    {
        var (conversation, call) = await LiveCallAsync(caller, conversationId);
        var wasConnected = call.State == CallState.Connected;
        var now = clock.GetUtcNow();
        var connected = await UpdateCallAsync(call, c => CallRules.Connected(c, SideOf(caller), now));
        if (!wasConnected)
        {
            await conversations.SendToConversationAsync(conversation, c => c.callUpdated(CallView.Of(connected)), includeCustomer: true);
        }
        return CallView.Of(connected);
    }

    /// <summary>The customer's consent, given, paused, resumed or withdrawn; the agent sees the state at once.</summary>
    public async Task<CallView> SetScreenShareAsync(Caller customer, string conversationId, ScreenShare screen)
    {
        Conversations.RequireCustomer(customer);
        if (!Enum.IsDefined(screen))
        {
            throw new LiveHelpException(ErrorCodes.InvalidInput, "screen share must be off, sharing or paused");
        }
        var (conversation, call) = await LiveCallAsync(customer, conversationId);
        var before = call.Screen;
        var changed = await UpdateCallAsync(call, c => CallRules.SetScreen(c, screen));
        await conversations.SendToConversationAsync(conversation, c => c.callUpdated(CallView.Of(changed)), includeCustomer: true);
        if (before == ScreenShare.Off && screen == ScreenShare.Sharing)
        {
            await conversations.AppendSystemAsync(conversation, "The customer started sharing their screen.");
        }
        else if (before != ScreenShare.Off && screen == ScreenShare.Off)
        {
            await conversations.AppendSystemAsync(conversation, "The customer stopped sharing their screen.");
        }
        return CallView.Of(changed);
    }

    public async Task AnnotateAsync(Caller agent, string conversationId, Annotation annotation)
    {
        Conversations.RequireStaff(agent);
        var (conversation, call) = await LiveCallAsync(agent, conversationId);
        if (call.Screen != ScreenShare.Sharing)
        {
            throw new LiveHelpException(ErrorCodes.InvalidInput, "annotations need a shared screen");
        }
        var points = annotation.Points ?? [];
        var valid = annotation.Kind switch
        {
            "clear" => points.Count == 0,
            "pointer" => points.Count == 1,
            "stroke" => points.Count is > 0 and <= MaxAnnotationPoints,
            _ => false,
        };
        if (!valid || points.Any(p => p is not [var x, var y] || !(x is >= 0 and <= 1) || !(y is >= 0 and <= 1)) || !Colour().IsMatch(annotation.Color ?? ""))
        {
            throw new LiveHelpException(ErrorCodes.InvalidInput, "an annotation is a stroke, pointer or clear with points in 0..1 and a #rrggbb colour");
        }
        await hub.Clients.User(conversation.VisitorId).annotation(annotation with { ConversationId = conversation.Id });
    }

    public async Task EndCallAsync(Caller caller, string conversationId)
    {
        var (conversation, call) = await LiveCallAsync(caller, conversationId);
        await EndCallAsync(conversation, call, CallRules.Hangup);
    }

    /// <summary>
    /// Calls that rang out are ended as missed; answered calls that never connected, as failed; connected calls that
    /// one side stopped reporting on, as lost.
    /// </summary>
    internal async Task ExpireCallsAsync()
    {
        var now = clock.GetUtcNow();
        foreach (var call in await calls.ListLiveAsync())
        {
            var reason = CallRules.HasRungOut(call, now) ? CallRules.Missed
                : CallRules.HasFailedToConnect(call, now) ? CallRules.Failed
                : CallRules.HasGoneSilent(call, now, Options.CallSilenceTimeout) ? CallRules.Lost
                : null;
            if (reason is not null && await store.FindConversationAsync(call.ConversationId) is { } conversation)
            {
                try
                {
                    await EndCallAsync(conversation, call, reason);
                }
                catch (LiveHelpException e) when (e.Code == ErrorCodes.NotFound)
                {
                    // Ended meanwhile: hung up, or expired by another node's tick. The rest of the tick goes on.
                }
            }
        }
    }

    /// <summary>A conversation in mayday mode goes straight into the mayday call when the agent joins.</summary>
    internal async Task StartMaydayCallAsync(Conversation conversation)
    {
        if (conversation.Mode == HelpMode.Mayday && await calls.FindLiveAsync(conversation.Id) is null)
        {
            await StartCallAsync(conversation, CallProfile.Mayday, Roles.Agent, conversation.AgentName);
        }
    }

    private async Task<Call> StartCallAsync(Conversation conversation, CallProfile profile, string startedBy, string? who)
    {
        var call = CallRules.Start(Ids.New("k"), conversation.Id, profile, startedBy, clock.GetUtcNow());
        if (!await calls.TryAddAsync(call))
        {
            throw new LiveHelpException(ErrorCodes.CallInProgress, "this conversation already has a call");
        }
        var stored = await calls.FindLiveAsync(conversation.Id) ?? call;
        await conversations.AppendSystemAsync(conversation, CallRules.StartedNotice(who, profile));
        await conversations.SendToConversationAsync(conversation, c => c.callStarted(CallView.Of(stored)), includeCustomer: true);
        return stored;
    }

    /// <summary>Ends the conversation's live call, if any, e.g. because the conversation closed or moved.</summary>
    internal async Task EndLiveCallAsync(Conversation conversation, string reason)
    {
        if (await calls.FindLiveAsync(conversation.Id) is { } call)
        {
            await EndCallAsync(conversation, call, reason);
        }
    }

    private async Task EndCallAsync(Conversation conversation, Call call, string reason)
    {
        var now = clock.GetUtcNow();
        var ended = await UpdateCallAsync(call, c => CallRules.End(c, reason, now));
        var summary = ended.Duration is { } d
            ? reason == CallRules.Lost
                ? $"The call dropped after {Minutes(d)}: one side stopped responding."
                : $"The call ended after {Minutes(d)}."
            : reason switch
            {
                CallRules.Declined => "The call was declined.",
                CallRules.Missed => "The call was not answered.",
                CallRules.Failed => "The call could not connect.",
                _ => "The call ended before it connected.",
            };
        await conversations.AppendSystemAsync(conversation, summary);
        await conversations.SendToConversationAsync(conversation, c => c.callEnded(
            new CallEnded(conversation.Id, ended.Id, reason, ended.Duration?.TotalSeconds)), includeCustomer: true);
    }

    private async Task<(Conversation Conversation, Call Call)> LiveCallAsync(Caller caller, string conversationId)
    {
        var conversation = await conversations.FindAsync(caller, conversationId, Access.Participate);
        var call = await calls.FindLiveAsync(conversation.Id) ?? throw new LiveHelpException(ErrorCodes.NotFound, "call not found");
        return (conversation, call);
    }

    private async Task<Call> UpdateCallAsync(Call call, Func<Call, Call> change)
    {
        for (var attempt = 0; attempt < 10; attempt++)
        {
            if (await calls.TryUpdateAsync(change(call)) is { } updated)
            {
                return updated;
            }
            call = await calls.FindLiveAsync(call.ConversationId) is { } fresh && fresh.Id == call.Id
                ? fresh
                : throw new LiveHelpException(ErrorCodes.NotFound, "call not found");
        }
        throw new LiveHelpException(ErrorCodes.Conflict, "the call is being changed by someone else; try again");
    }

    private static string Minutes(TimeSpan d) => $"{(int)d.TotalMinutes}:{d.Seconds.ToString("00", CultureInfo.InvariantCulture)}";

    private static string SideOf(Caller caller) => caller.IsCustomer ? Roles.Customer : Roles.Agent;

    private static string OtherSide(Caller caller, Conversation conversation) =>
        caller.IsCustomer ? conversation.AgentId ?? "" : conversation.VisitorId;

    [GeneratedRegex("^#[0-9a-fA-F]{6}$")]
    private static partial Regex Colour();
}
