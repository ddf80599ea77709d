using LiveHelp.Core.Calls;

namespace LiveHelp.Core.Tests.Calls;

public sealed class CallRulesTests
{
    private static readonly DateTimeOffset T0 = ManualClock.DefaultStart;

    private static Call Ringing() => CallRules.Start("k1", "c1", CallProfile.Video, Roles.Agent, T0);

    [Fact]
    public void A_call_rings_then_connects_then_ends_with_its_talk_time()
    {
        var answered = CallRules.Answer(Ringing(), T0.AddSeconds(3));
        var connected = CallRules.Connected(answered, Roles.Agent, T0.AddSeconds(5));
        var ended = CallRules.End(connected, CallRules.Hangup, T0.AddSeconds(65));

        Assert.Equal(CallState.Connecting, answered.State);
        Assert.Equal(CallState.Connected, connected.State);
        Assert.Equal((CallState.Ended, CallRules.Hangup), (ended.State, ended.EndReason));
        Assert.Equal(TimeSpan.FromMinutes(1), ended.Duration);
    }

    [Fact]
    public void The_second_connected_report_keeps_the_first_time()
    {
        var connected = CallRules.Connected(CallRules.Answer(Ringing(), T0), Roles.Agent, T0.AddSeconds(2));

        Assert.Equal(T0.AddSeconds(2), CallRules.Connected(connected, Roles.Agent, T0.AddSeconds(9)).ConnectedAt);
    }

    [Fact]
    public void Only_a_ringing_call_can_be_answered_and_only_a_connecting_one_connects()
    {
        var connected = CallRules.Connected(CallRules.Answer(Ringing(), T0), Roles.Agent, T0);

        Assert.Equal(ErrorCodes.InvalidInput, Assert.Throws<LiveHelpException>(() => CallRules.Answer(connected, T0)).Code);
        Assert.Equal(ErrorCodes.InvalidInput, Assert.Throws<LiveHelpException>(() => CallRules.Connected(Ringing(), Roles.Agent, T0)).Code);
    }

    [Fact]
    public void Ending_stops_the_screen_share_and_an_ended_call_stays_as_it_ended()
    {
        var sharing = CallRules.SetScreen(CallRules.Answer(Ringing(), T0), ScreenShare.Sharing);
        var ended = CallRules.End(sharing, CallRules.Declined, T0);

        Assert.Equal(ScreenShare.Off, ended.Screen);
        Assert.Equal(ended, CallRules.End(ended, CallRules.Hangup, T0.AddMinutes(1)));
        Assert.Null(ended.Duration);
        Assert.Throws<LiveHelpException>(() => CallRules.SetScreen(ended, ScreenShare.Sharing));
    }

    [Fact]
    public void A_call_rings_out_at_the_ring_timeout()
    {
        Assert.False(CallRules.HasRungOut(Ringing(), T0 + CallRules.RingTimeout - TimeSpan.FromSeconds(1)));
        Assert.True(CallRules.HasRungOut(Ringing(), T0 + CallRules.RingTimeout));
        Assert.False(CallRules.HasRungOut(CallRules.Answer(Ringing(), T0), T0 + CallRules.RingTimeout));
    }

    [Fact]
    public void An_answered_call_fails_if_it_does_not_connect_in_time()
    {
        var answered = CallRules.Answer(Ringing(), T0);

        Assert.False(CallRules.HasFailedToConnect(answered, T0 + CallRules.ConnectTimeout - TimeSpan.FromSeconds(1)));
        Assert.True(CallRules.HasFailedToConnect(answered, T0 + CallRules.ConnectTimeout));
        Assert.False(CallRules.HasFailedToConnect(CallRules.Connected(answered, Roles.Agent, T0), T0 + CallRules.ConnectTimeout));
    }

    [Fact]
    public void A_connected_call_is_lost_once_either_side_has_been_silent_for_the_silence_timeout()
    {
        var connected = CallRules.Connected(CallRules.Answer(Ringing(), T0), Roles.Agent, T0);
        var both = CallRules.Connected(connected, Roles.Customer, T0.AddSeconds(1));
        var agentGoesOn = CallRules.Connected(both, Roles.Agent, T0.AddSeconds(25));

        Assert.False(CallRules.HasGoneSilent(agentGoesOn, T0.AddSeconds(1) + CallRules.SilenceTimeout - TimeSpan.FromSeconds(1), CallRules.SilenceTimeout));
        Assert.True(CallRules.HasGoneSilent(agentGoesOn, T0.AddSeconds(1) + CallRules.SilenceTimeout, CallRules.SilenceTimeout));
        Assert.True(CallRules.HasGoneSilent(connected, T0 + CallRules.SilenceTimeout, CallRules.SilenceTimeout), "a side that never reported counts from the connection");
        Assert.False(CallRules.HasGoneSilent(CallRules.Answer(Ringing(), T0), T0 + CallRules.SilenceTimeout, CallRules.SilenceTimeout), "a connecting call has its own timeout");
    }
}
