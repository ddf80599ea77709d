using LiveHelp.Core.Calls;
using LiveHelp.Core.Contracts;

namespace LiveHelp.Client;

/// <summary>
/// Call signalling for one side of a conversation: start, answer, relay offers/answers/ICE candidates, screen-share
/// consent, annotations, end. The media itself is not here: browsers do it with RTCPeerConnection; a .NET app plugs
/// a media engine in through <see cref="ICallMedia"/>.
/// </summary>
public sealed class CallChannel
{
    private readonly HubConnection _connection;

    internal CallChannel(HubConnection connection)
    {
        _connection = connection;
        connection.On<CallView>(nameof(IHelpClient.callStarted), call => Started?.Invoke(this, call));
        connection.On<CallView>(nameof(IHelpClient.callUpdated), call => Updated?.Invoke(this, call));
        connection.On<CallSignal>(nameof(IHelpClient.callSignal), signal => SignalReceived?.Invoke(this, signal));
        connection.On<Annotation>(nameof(IHelpClient.annotation), annotation => AnnotationReceived?.Invoke(this, annotation));
        connection.On<CallEnded>(nameof(IHelpClient.callEnded), ended => Ended?.Invoke(this, ended));
    }

    /// <summary>A call rings: the side that did not start it should answer.</summary>
    public event EventHandler<CallView>? Started;

    public event EventHandler<CallView>? Updated;

    /// <summary>An offer, answer or ICE candidate from the other participant.</summary>
    public event EventHandler<CallSignal>? SignalReceived;

    public event EventHandler<Annotation>? AnnotationReceived;

    public event EventHandler<CallEnded>? Ended;

    /// <summary>A step of an attached media engine failed: the engine threw, or the hub refused a signal.</summary>
    public event EventHandler<Exception>? AttachFailed;

    public Task<CallView> StartAsync(string conversationId, CallProfile profile, CancellationToken ct = default) =>
        _connection.InvokeAsync<CallView>(CallHub.Methods.StartCall, conversationId, profile, ct);

    public Task<CallView> AnswerAsync(string conversationId, bool accept, CancellationToken ct = default) =>
        _connection.InvokeAsync<CallView>(CallHub.Methods.AnswerCall, conversationId, accept, ct);

    public Task SignalAsync(string conversationId, CallSignal signal, CancellationToken ct = default) =>
        _connection.InvokeAsync(CallHub.Methods.Signal, conversationId, signal, ct);

    public Task<CallView> ConnectedAsync(string conversationId, CancellationToken ct = default) =>
        _connection.InvokeAsync<CallView>(CallHub.Methods.Connected, conversationId, ct);

    /// <summary>Customer only: share, pause or stop the screen.</summary>
    public Task<CallView> SetScreenShareAsync(string conversationId, ScreenShare screen, CancellationToken ct = default) =>
        _connection.InvokeAsync<CallView>(CallHub.Methods.SetScreenShare, conversationId, screen, ct);

    /// <summary>Agent only: draw on the customer's shared screen.</summary>
    public Task AnnotateAsync(string conversationId, Annotation annotation, CancellationToken ct = default) =>
        _connection.InvokeAsync(CallHub.Methods.Annotate, conversationId, annotation, ct);

    public Task EndAsync(string conversationId, CancellationToken ct = default) =>
        _connection.InvokeAsync(CallHub.Methods.EndCall, conversationId, ct);

    /// <summary>
    /// Runs the WebRTC exchange for a call with a media engine: the side that started the call makes the offer once
    /// the other side answered; candidates flow both ways; the engine reports when media is connected.
    /// </summary>
    public IDisposable Attach(string conversationId, string side, ICallMedia media)
    {
        string? callId = null;

        void OnCandidate(object? sender, string candidate) => Run(async () =>
        {
            if (callId is { } id)
            {
                await SignalAsync(conversationId, new CallSignal { CallId = id, Kind = "candidate", Candidate = candidate });
            }
        });

        // Once media connects, the side keeps saying so until the call ends: the server ends a connected call one
        // side went silent on.
        var stop = new CancellationTokenSource();
        var reporting = 0;
        void OnMediaConnected(object? sender, EventArgs e) => Run(async () =>
        {
            // An engine may say "connected" again (after an ICE restart): one loop reports for the whole call.
            if (Interlocked.Exchange(ref reporting, 1) == 1)
            {
                return;
            }
            using var alive = new PeriodicTimer(CallRules.AliveInterval);
            try
            {
                do
                {
                    try
                    {
                        await ConnectedAsync(conversationId, stop.Token);
                    }
                    catch (LiveHelpConnectionException)
                    {
                        // The hub is reconnecting: the next tick reports again, as the browser does.
                    }
                }
                while (await alive.WaitForNextTickAsync(stop.Token));
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            catch (LiveHelpHubException ended) when (ended.Code == Core.ErrorCodes.NotFound)
            {
                // The call ended between two reports; its end event is on its way.
            }
        });

        void OnEnded(object? sender, CallEnded ended)
        {
            if (ended.ConversationId == conversationId)
            {
                stop.Cancel();
            }
        }

        void OnSignal(object? sender, CallSignal signal) => Run(async () =>
        {
            if (signal.ConversationId != conversationId)
            {
                return;
            }
            callId = signal.CallId;
            switch (signal.Kind)
            {
                case "offer":
                    var answer = await media.AcceptOfferAsync(signal.Sdp!);
                    await SignalAsync(conversationId, new CallSignal { CallId = signal.CallId, Kind = "answer", Sdp = answer });
                    break;
                case "answer":
                    await media.AcceptAnswerAsync(signal.Sdp!);
                    break;
                case "candidate":
                    await media.AddCandidateAsync(signal.Candidate!);
                    break;
            }
        });

        void OnUpdated(object? sender, CallView call) => Run(async () =>
        {
            if (call.ConversationId != conversationId)
            {
                return;
            }
            callId = call.Id;
            if (call.State == CallState.Connecting && call.StartedBy == side)
            {
                var offer = await media.CreateOfferAsync(call.Profile);
                await SignalAsync(conversationId, new CallSignal { CallId = call.Id, Kind = "offer", Sdp = offer });
            }
        });

        SignalReceived += OnSignal;
        Updated += OnUpdated;
        Ended += OnEnded;
        media.CandidateFound += OnCandidate;
        media.Connected += OnMediaConnected;
        return new Detach(() =>
        {
            SignalReceived -= OnSignal;
            Updated -= OnUpdated;
            Ended -= OnEnded;
            media.CandidateFound -= OnCandidate;
            media.Connected -= OnMediaConnected;
            stop.Cancel();
        });
    }

    /// <summary>An event handler's work: a failure is reported, never thrown onto the thread pool (it would end the process).</summary>
    private async void Run(Func<Task> step)
    {
        try
        {
            await step();
        }
        catch (Exception e)
        {
            AttachFailed?.Invoke(this, e);
        }
    }

    private sealed class Detach(Action detach) : IDisposable
    {
        public void Dispose() => detach();
    }
}

/// <summary>
/// The seam where a .NET media engine plugs in (none is bundled: browsers carry the media). It produces and consumes
/// SDP and ICE candidates exactly as an RTCPeerConnection does.
/// </summary>
public interface ICallMedia
{
    Task<string> CreateOfferAsync(CallProfile profile);

    /// <summary>Takes the remote offer and returns the local answer.</summary>
    Task<string> AcceptOfferAsync(string sdp);

    Task AcceptAnswerAsync(string sdp);

    /// <summary>A remote ICE candidate as RTCIceCandidateInit JSON.</summary>
    Task AddCandidateAsync(string candidateJson);

    /// <summary>A local ICE candidate (RTCIceCandidateInit JSON) to send to the other side.</summary>
    event EventHandler<string>? CandidateFound;

    /// <summary>Media flows: the call is connected.</summary>
    event EventHandler? Connected;
}
