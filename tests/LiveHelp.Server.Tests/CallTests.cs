using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using LiveHelp.Client;
using LiveHelp.Core;
using LiveHelp.Core.Calls;
using LiveHelp.Core.Contracts;
using LiveHelp.Core.Conversations;

namespace LiveHelp.Server.Tests;

public sealed class CallTests : ServerTest
{
    private const string TurnSecret = "turn-secret-for-tests";
    private readonly ManualClock _time = new(DateTimeOffset.UtcNow);

    protected override TimeProvider? Clock => _time;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["LiveHelp:Turn:Urls:0"] = "turn:127.0.0.1:3478",
        ["LiveHelp:Turn:StunUrls:0"] = "stun:127.0.0.1:3478",
        ["LiveHelp:Turn:Secret"] = TurnSecret,
        ["LiveHelp:Turn:CredentialLifetime"] = "00:10:00",
    };

    [Fact]
    public async Task Chat_upgrades_to_a_video_call_signalling_flows_between_the_two_only_and_the_transcript_records_it()
    {
        var (customer, agent, id) = await ConversationAsync(await AgentAsync("ann"));
        var ringing = new Inbox<CallView>(h => customer.Calls.Started += h);
        var agentUpdates = new Inbox<CallView>(h => agent.Calls.Updated += h);
        var customerSignals = new Inbox<CallSignal>(h => customer.Calls.SignalReceived += h);
        var agentSignals = new Inbox<CallSignal>(h => agent.Calls.SignalReceived += h);
        var ended = new Inbox<CallEnded>(h => customer.Calls.Ended += h);

        var call = await agent.Calls.StartAsync(id, CallProfile.Video);
        Assert.Equal(CallState.Ringing, call.State);
        Assert.Equal(call.Id, (await ringing.NextAsync()).Id);

        await customer.Calls.AnswerAsync(id, accept: true);
        Assert.Equal(CallState.Connecting, (await agentUpdates.NextAsync()).State);

        await agent.Calls.SignalAsync(id, new CallSignal { CallId = call.Id, Kind = "offer", Sdp = "v=0 offer" });
        var offer = await customerSignals.NextAsync();
        Assert.Equal(("offer", "v=0 offer", Roles.Agent), (offer.Kind, offer.Sdp, offer.From));
        await customer.Calls.SignalAsync(id, new CallSignal { CallId = call.Id, Kind = "answer", Sdp = "v=0 answer" });
        await customer.Calls.SignalAsync(id, new CallSignal { CallId = call.Id, Kind = "candidate", Candidate = "{\"candidate\":\"c1\"}" });
        Assert.Equal("v=0 answer", (await agentSignals.NextAsync(s => s.Kind == "answer")).Sdp);
        Assert.Equal("{\"candidate\":\"c1\"}", (await agentSignals.NextAsync(s => s.Kind == "candidate")).Candidate);
        Assert.DoesNotContain(customerSignals.Seen, s => s.From == Roles.Customer);

        await customer.Calls.ConnectedAsync(id);
        Assert.Equal(CallState.Connected, (await agentUpdates.NextAsync(c => c.State == CallState.Connected)).State);
        for (var talked = 0; talked < 75; talked += 15)
        {
            // Both sides report their media connected as it stays so, as the widget and console do.
            await customer.Calls.ConnectedAsync(id);
            await agent.Calls.ConnectedAsync(id);
            _time.Advance(TimeSpan.FromSeconds(15));
        }
        await agent.Calls.EndAsync(id);

        var end = await ended.NextAsync();
        Assert.Equal(75, end.DurationSeconds);
        await customer.SendMessageAsync(id, "Thanks, still typing after the call");
        var transcript = await customer.ResumeAsync(id, 0);
        Assert.Contains(transcript.Messages, m => m.Kind == MessageKind.System && m.Text == "Ann started a video call.");
        Assert.Contains(transcript.Messages, m => m.Kind == MessageKind.System && m.Text == "The call ended after 1:15.");
        Assert.Equal("Thanks, still typing after the call", transcript.Messages[^1].Text);
    }

    [Fact]
    public async Task Strangers_get_not_found_for_a_calls_signalling_and_the_call_is_untouched()
    {
        var ann = await AgentAsync("ann");
        var (customer, _, id) = await ConversationAsync(ann);
        var bob = await AgentAsync("bob");
        var stranger = await CustomerAsync();
        var call = await ann.Calls.StartAsync(id, CallProfile.Voice);
        var customerSignals = new Inbox<CallSignal>(h => customer.Calls.SignalReceived += h);
        var signal = new CallSignal { CallId = call.Id, Kind = "offer", Sdp = "v=0 forged" };

        foreach (var intruder in new ConversationClient[] { stranger, bob })
        {
            Assert.Equal(ErrorCodes.NotFound, (await RefusedAsync(() => intruder.Calls.SignalAsync(id, signal))).Code);
            Assert.Equal(ErrorCodes.NotFound, (await RefusedAsync(() => intruder.Calls.AnswerAsync(id, true))).Code);
            Assert.Equal(ErrorCodes.NotFound, (await RefusedAsync(() => intruder.Calls.EndAsync(id))).Code);
        }
        Assert.Equal(ErrorCodes.NotFound, (await RefusedAsync(() => ann.Calls.SignalAsync(id, signal with { CallId = "k_other" }))).Code);

        await customerSignals.NoneAsync(null, TimeSpan.FromMilliseconds(300));
        var answered = await customer.Calls.AnswerAsync(id, true);
        Assert.Equal(CallState.Connecting, answered.State);
    }

    [Fact]
    public async Task A_mayday_request_goes_straight_into_the_mayday_call_when_the_agent_accepts()
    {
        var ann = await AgentAsync("ann", ["device"]);
        var device = Track(new DeviceClient(Host.BaseUri, FastReconnect));
        var offers = new Inbox<OfferNotice>(h => ann.OfferReceived += h);
        var ringing = new Inbox<CallView>(h => device.Customer.Calls.Started += h);

        await device.MaydayAsync(new DeviceInfo { Model = "Fire HD 10", Os = "Fire OS 8", AppVersion = "1.0" });
        await ann.AcceptOfferAsync((await offers.NextAsync()).ConversationId);

        var call = await ringing.NextAsync();
        Assert.Equal((CallProfile.Mayday, Roles.Agent, CallState.Ringing), (call.Profile, call.StartedBy, call.State));
    }

    [Fact]
    public async Task Screen_share_consent_pause_and_annotations_reach_the_right_side_only()
    {
        var (customer, agent, id) = await ConversationAsync(await AgentAsync("ann"));
        await agent.Calls.StartAsync(id, CallProfile.Mayday);
        await customer.Calls.AnswerAsync(id, true);
        var agentUpdates = new Inbox<CallView>(h => agent.Calls.Updated += h);
        var drawn = new Inbox<Annotation>(h => customer.Calls.AnnotationReceived += h);
        var stroke = new Annotation { Kind = "stroke", Points = [[0.1, 0.2], [0.5, 0.5]], Color = "#ff0000" };

        Assert.Equal(ErrorCodes.InvalidInput, (await RefusedAsync(() => agent.Calls.AnnotateAsync(id, stroke))).Code);
        Assert.Equal(ErrorCodes.Forbidden, (await RefusedAsync(() => agent.Calls.SetScreenShareAsync(id, ScreenShare.Sharing))).Code);

        await customer.Calls.SetScreenShareAsync(id, ScreenShare.Sharing);
        // The answer's own update may still be on its way: wait for the one that carries the share.
        Assert.Equal(ScreenShare.Sharing, (await agentUpdates.NextAsync(c => c.Screen != ScreenShare.Off)).Screen);
        await agent.Calls.AnnotateAsync(id, stroke);
        var received = await drawn.NextAsync();
        Assert.Equal(id, received.ConversationId);
        Assert.Equal([[0.1, 0.2], [0.5, 0.5]], received.Points);
        Assert.Equal(ErrorCodes.InvalidInput, (await RefusedAsync(() => agent.Calls.AnnotateAsync(id, stroke with { Points = [[1.5, 0.2]] }))).Code);
        Assert.Equal(ErrorCodes.InvalidInput, (await RefusedAsync(() => agent.Calls.AnnotateAsync(id, stroke with { Color = "red;x" }))).Code);
        Assert.Equal(ErrorCodes.Forbidden, (await RefusedAsync(() => customer.Calls.AnnotateAsync(id, stroke))).Code);

        await customer.Calls.SetScreenShareAsync(id, ScreenShare.Paused);
        Assert.Equal(ScreenShare.Paused, (await agentUpdates.NextAsync(c => c.Screen != ScreenShare.Sharing)).Screen);
        Assert.Equal(ErrorCodes.InvalidInput, (await RefusedAsync(() => agent.Calls.AnnotateAsync(id, stroke))).Code);
        await customer.Calls.SetScreenShareAsync(id, ScreenShare.Off);

        var transcript = await customer.ResumeAsync(id, 0);
        Assert.Contains(transcript.Messages, m => m.Text == "The customer started sharing their screen.");
        Assert.Contains(transcript.Messages, m => m.Text == "The customer stopped sharing their screen.");
    }

    [Fact]
    public async Task Drawing_does_not_use_up_the_agents_message_allowance()
    {
        var (customer, agent, id) = await ConversationAsync(await AgentAsync("ann"));
        await agent.Calls.StartAsync(id, CallProfile.Mayday);
        await customer.Calls.AnswerAsync(id, true);
        await customer.Calls.SetScreenShareAsync(id, ScreenShare.Sharing);
        var stroke = new Annotation { Kind = "stroke", Points = [[0.1, 0.2], [0.3, 0.4]], Color = "#2563eb" };

        for (var i = 0; i < 15; i++)
        {
            await agent.Calls.AnnotateAsync(id, stroke);
        }

        Assert.Equal("Can you see the arrow?", (await agent.SendMessageAsync(id, "Can you see the arrow?")).Text);
    }

    [Fact]
    public async Task A_declined_call_ends_a_second_call_cannot_ring_over_a_live_one_and_an_unanswered_one_is_missed()
    {
        var (customer, agent, id) = await ConversationAsync(await AgentAsync("ann"));
        var ended = new Inbox<CallEnded>(h => agent.Calls.Ended += h);

        await customer.Calls.StartAsync(id, CallProfile.Voice);
        Assert.Equal(ErrorCodes.CallInProgress, (await RefusedAsync(() => agent.Calls.StartAsync(id, CallProfile.Video))).Code);
        Assert.Equal(ErrorCodes.InvalidInput, (await RefusedAsync(() => customer.Calls.AnswerAsync(id, true))).Code);
        await agent.Calls.AnswerAsync(id, accept: false);
        Assert.Equal(CallRules.Declined, (await ended.NextAsync()).Reason);

        await customer.Calls.StartAsync(id, CallProfile.Voice);
        _time.Advance(CallRules.RingTimeout);
        Assert.Equal(CallRules.Missed, (await ended.NextAsync()).Reason);
    }

    [Fact]
    public async Task An_answered_call_that_never_connects_ends_as_failed_and_the_transcript_says_so()
    {
        var (customer, agent, id) = await ConversationAsync(await AgentAsync("ann"));
        var ended = new Inbox<CallEnded>(h => customer.Calls.Ended += h);
        await agent.Calls.StartAsync(id, CallProfile.Video);
        await customer.Calls.AnswerAsync(id, true);

        _time.Advance(CallRules.ConnectTimeout - TimeSpan.FromSeconds(1));
        await ended.NoneAsync(null, TimeSpan.FromMilliseconds(300));
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(CallRules.Failed, (await ended.NextAsync()).Reason);
        Assert.Contains((await customer.ResumeAsync(id, 0)).Messages, m => m.Text == "The call could not connect.");
    }

    [Fact]
    public async Task A_connected_call_whose_customer_vanished_without_hanging_up_ends_by_itself_as_lost()
    {
        var (customer, agent, id) = await ConversationAsync(await AgentAsync("ann"));
        var ended = new Inbox<CallEnded>(h => agent.Calls.Ended += h);
        var updates = new Inbox<CallView>(h => agent.Calls.Updated += h);
        await agent.Calls.StartAsync(id, CallProfile.Mayday);
        await customer.Calls.AnswerAsync(id, true);
        await customer.Calls.ConnectedAsync(id);
        await agent.Calls.ConnectedAsync(id);
        await updates.NextAsync(c => c.State == CallState.Connected);

        // The customer's phone loses the network: no hang-up, no more reports. The agent's side goes on reporting.
        _time.Advance(CallRules.SilenceTimeout - TimeSpan.FromSeconds(10));
        await agent.Calls.ConnectedAsync(id);
        _time.Advance(TimeSpan.FromSeconds(9));
        await ended.NoneAsync(null, TimeSpan.FromMilliseconds(300));
        await agent.Calls.ConnectedAsync(id);
        _time.Advance(TimeSpan.FromSeconds(1));

        var end = await ended.NextAsync();
        Assert.Equal(CallRules.Lost, end.Reason);
        Assert.Equal(CallRules.SilenceTimeout.TotalSeconds, end.DurationSeconds);
        Assert.Contains((await agent.ResumeAsync(id, 0)).Messages, m => m.Kind == MessageKind.System && m.Text == "The call dropped after 0:30: one side stopped responding.");
        Assert.Equal(CallState.Ringing, (await agent.Calls.StartAsync(id, CallProfile.Video)).State);
    }

    [Fact]
    public async Task Closing_the_conversation_ends_its_call()
    {
        var (customer, agent, id) = await ConversationAsync(await AgentAsync("ann"));
        var ended = new Inbox<CallEnded>(h => agent.Calls.Ended += h);
        await agent.Calls.StartAsync(id, CallProfile.Video);

        await customer.CloseAsync(id);

        Assert.Equal(CallRules.ConversationClosed, (await ended.NextAsync()).Reason);
    }

    [Fact]
    public async Task Participants_get_short_lived_turn_credentials_in_the_coturn_scheme_and_nobody_else_does()
    {
        var (customer, agent, id) = await ConversationAsync(await AgentAsync("ann"));
        using var http = Host.Http(customer.Token);

        var ice = await http.GetFromJsonAsync<IceServers>($"/api/calls/ice-servers?conversationId={id}", Json.Options);

        Assert.Equal(600, ice!.TtlSeconds);
        Assert.Equal(["stun:127.0.0.1:3478"], ice.Servers[0].Urls);
        var turn = ice.Servers[1];
        Assert.Equal(["turn:127.0.0.1:3478"], turn.Urls);
        var parts = turn.Username!.Split(':');
        Assert.Equal(customer.VisitorId, parts[1]);
        var expiry = DateTimeOffset.FromUnixTimeSeconds(long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture));
        Assert.InRange(expiry - _time.GetUtcNow(), TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));
        var expected = Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(TurnSecret), Encoding.UTF8.GetBytes(turn.Username)));
        Assert.Equal(expected, turn.Credential);

        var stranger = await CustomerAsync();
        using var strangerHttp = Host.Http(stranger.Token);
        var refused = await strangerHttp.GetAsync($"/api/calls/ice-servers?conversationId={id}");
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        using var anonymous = Host.Http();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/api/calls/ice-servers?conversationId={id}")).StatusCode);
        using var agentHttp = Host.Http(agent.Token);
        Assert.Equal(HttpStatusCode.OK, (await agentHttp.GetAsync($"/api/calls/ice-servers?conversationId={id}")).StatusCode);
    }

    [Fact]
    public async Task A_media_engine_plugged_into_the_sdk_seam_completes_the_exchange_and_the_call_connects()
    {
        var (customer, agent, id) = await ConversationAsync(await AgentAsync("ann"));
        var agentMedia = new ScriptedMedia("agent");
        var customerMedia = new ScriptedMedia("customer");
        using var agentSide = agent.Calls.Attach(id, Roles.Agent, agentMedia);
        using var customerSide = customer.Calls.Attach(id, Roles.Customer, customerMedia);
        var updates = new Inbox<CallView>(h => agent.Calls.Updated += h);

        await agent.Calls.StartAsync(id, CallProfile.Video);
        await customer.Calls.AnswerAsync(id, true);

        Assert.Equal("offer from agent", await customerMedia.RemoteOffer.Task.WaitAsync(Inbox<int>.Patience));
        Assert.Equal("answer from customer", await agentMedia.RemoteAnswer.Task.WaitAsync(Inbox<int>.Patience));
        customerMedia.FindCandidate("{\"candidate\":\"from customer\"}");
        Assert.Equal("{\"candidate\":\"from customer\"}", await agentMedia.RemoteCandidate.Task.WaitAsync(Inbox<int>.Patience));
        agentMedia.Connect();
        customerMedia.Connect();
        Assert.Equal(CallState.Connected, (await updates.NextAsync(c => c.State == CallState.Connected)).State);

        // Both engines stay connected: the SDK reports so every 10 s, and the call outlives the silence timeout.
        var ended = new Inbox<CallEnded>(h => agent.Calls.Ended += h);
        _time.Advance(CallRules.SilenceTimeout - TimeSpan.FromSeconds(5));
        await Task.Delay(CallRules.AliveInterval + TimeSpan.FromSeconds(1));
        _time.Advance(TimeSpan.FromSeconds(10));
        await ended.NoneAsync(null, TimeSpan.FromMilliseconds(500));
    }

    [Fact]
    public async Task A_media_engine_that_throws_is_reported_and_the_client_carries_on()
    {
        var (customer, agent, id) = await ConversationAsync(await AgentAsync("ann"));
        var failures = new Inbox<Exception>(h => customer.Calls.AttachFailed += h);
        using var agentSide = agent.Calls.Attach(id, Roles.Agent, new ScriptedMedia("agent"));
        using var customerSide = customer.Calls.Attach(id, Roles.Customer, new ScriptedMedia("customer") { Broken = true });

        await agent.Calls.StartAsync(id, CallProfile.Video);
        await customer.Calls.AnswerAsync(id, true);

        Assert.Equal("no camera", (await failures.NextAsync()).Message);
        Assert.Equal("still here", (await customer.SendMessageAsync(id, "still here")).Text);
    }

    /// <summary>A media engine that answers with fixed SDP: what crosses the seam is what the test checks.</summary>
    private sealed class ScriptedMedia(string side) : ICallMedia
    {
        public TaskCompletionSource<string> RemoteOffer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource<string> RemoteAnswer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource<string> RemoteCandidate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public event EventHandler<string>? CandidateFound;

        public event EventHandler? Connected;

        /// <summary>Fails on the remote offer, as an engine without a camera would.</summary>
        public bool Broken { get; init; }

        public Task<string> CreateOfferAsync(CallProfile profile) => Task.FromResult("offer from " + side);

        public Task<string> AcceptOfferAsync(string sdp)
        {
            if (Broken)
            {
                throw new InvalidOperationException("no camera");
            }
            RemoteOffer.TrySetResult(sdp);
            return Task.FromResult("answer from " + side);
        }

        public Task AcceptAnswerAsync(string sdp)
        {
            RemoteAnswer.TrySetResult(sdp);
            return Task.CompletedTask;
        }

        public Task AddCandidateAsync(string candidateJson)
        {
            RemoteCandidate.TrySetResult(candidateJson);
            return Task.CompletedTask;
        }

        public void FindCandidate(string candidate) => CandidateFound?.Invoke(this, candidate);

        public void Connect() => Connected?.Invoke(this, EventArgs.Empty);
    }
}
