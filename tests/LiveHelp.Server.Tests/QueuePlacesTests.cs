using LiveHelp.Client;
using LiveHelp.Core;
using LiveHelp.Core.Contracts;

namespace LiveHelp.Server.Tests;

/// <summary>
/// Which of a customer's connections are told their place: every tab of a waiting customer, whenever it was opened,
/// and nobody who is not waiting.
/// </summary>
public sealed class QueuePlacesTests : ServerTest
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(500);

    // The routing clock's rounds would tell every place within its interval anyway; here only the steps themselves do.
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["LiveHelp:ClockInterval"] = "01:00:00",
        ["LiveHelp:Routing:OfferTimeout"] = "01:00:00",
    };

    [Fact]
    public async Task A_tab_opened_while_waiting_is_told_the_place_at_once_and_every_tab_follows_it_until_the_agent_joins()
    {
        var ann = await AgentAsync("ann", maxConcurrent: 1);
        var offers = new Inbox<OfferNotice>(h => ann.OfferReceived += h);
        var ahead = await CustomerAsync();
        var aheadId = (await ahead.RequestHelpAsync(Help())).Conversation!.Id;
        await offers.NextAsync(o => o.ConversationId == aheadId);

        // A tab open before the press, on a connection made while the customer was not waiting.
        var before = await CustomerAsync();
        var beforePlaces = new Inbox<QueueUpdate>(h => before.QueueUpdated += h);
        var beforeJoined = new Inbox<AgentJoined>(h => before.AgentJoined += h);
        var pressing = Track(await CustomerClient.ConnectWithTokenAsync(Host.BaseUri, before.Token!, FastReconnect));
        var queued = await pressing.RequestHelpAsync(Help());
        var id = queued.Conversation!.Id;
        Assert.Equal(2, queued.Place!.Position);
        Assert.Equal(2, (await beforePlaces.NextAsync(u => u.ConversationId == id)).Position);

        // A tab opened after the press learns the place with nothing else in the queue moving.
        var after = Track(await CustomerClient.ConnectWithTokenAsync(Host.BaseUri, before.Token!, FastReconnect));
        var afterPlaces = new Inbox<QueueUpdate>(h => after.QueueUpdated += h);
        var afterJoined = new Inbox<AgentJoined>(h => after.AgentJoined += h);
        var told = await afterPlaces.NextAsync();
        Assert.Equal(id, told.ConversationId);
        Assert.Equal(2, told.Position);
        Assert.Equal(queued.Place.QueuedSince, told.QueuedSince);

        // The tab that pressed closes; the other two follow the queue up and stop at the agent joining.
        await pressing.DisposeAsync();
        await ann.AcceptOfferAsync(aheadId);
        Assert.Equal(1, (await beforePlaces.NextAsync(u => u.Position == 1)).Position);
        Assert.Equal(1, (await afterPlaces.NextAsync(u => u.Position == 1)).Position);
        await ann.CloseAsync(aheadId);
        await offers.NextAsync(o => o.ConversationId == id);
        await ann.AcceptOfferAsync(id);
        Assert.Equal(id, (await beforeJoined.NextAsync()).ConversationId);
        Assert.Equal(id, (await afterJoined.NextAsync()).ConversationId);
        Assert.Equal([2, 1], beforePlaces.Seen.Where(u => u.ConversationId == id).Select(u => u.Position).Distinct());
        Assert.Equal([2, 1], afterPlaces.Seen.Select(u => u.Position).Distinct());
    }

    [Fact]
    public async Task A_customer_who_is_not_waiting_is_told_no_place_while_the_queue_moves()
    {
        var ann = await AgentAsync("ann", maxConcurrent: 1);
        var offers = new Inbox<OfferNotice>(h => ann.OfferReceived += h);
        var browsing = await CustomerAsync();
        var browsingPlaces = new Inbox<QueueUpdate>(h => browsing.QueueUpdated += h);

        var first = await CustomerAsync();
        var firstId = (await first.RequestHelpAsync(Help())).Conversation!.Id;
        await offers.NextAsync(o => o.ConversationId == firstId);
        var second = await CustomerAsync();
        var secondPlaces = new Inbox<QueueUpdate>(h => second.QueueUpdated += h);
        await second.RequestHelpAsync(Help());
        await secondPlaces.NextAsync(u => u.Position == 2);
        await ann.AcceptOfferAsync(firstId);
        await secondPlaces.NextAsync(u => u.Position == 1);

        await browsingPlaces.NoneAsync(null, Quiet);
    }

    [Fact]
    public async Task When_the_last_agent_with_the_skill_goes_away_the_waiting_customer_is_told_at_once_that_nobody_is_online_and_their_place_returns_with_an_agent()
    {
        var ann = await AgentAsync("ann", maxConcurrent: 1);
        // Online, but for billing only: nobody who can answer a general question.
        await AgentAsync("bob", skills: ["billing"]);
        await ConversationAsync(ann);
        var waiting = await CustomerAsync();
        var places = new Inbox<QueueUpdate>(h => waiting.QueueUpdated += h);
        var queued = await waiting.RequestHelpAsync(Help());
        var id = queued.Conversation!.Id;
        Assert.Equal(1, queued.Place!.Position);
        Assert.False(queued.Place.NobodyOnline);
        await places.NextAsync(u => u.Position == 1);

        await ann.SetStatusAsync(AgentStatus.Away);

        var nobody = await places.NextAsync(u => u.NobodyOnline);
        Assert.Equal(id, nobody.ConversationId);
        Assert.Null(nobody.Position);
        Assert.Null(nobody.EstimatedWaitSeconds);
        Assert.Equal(queued.Place.QueuedSince, nobody.QueuedSince);

        // A press meanwhile queues the request (Bob is online) and says at once that nobody can answer it.
        var later = await CustomerAsync();
        var laterQueued = await later.RequestHelpAsync(Help());
        Assert.Equal(RequestHelpStatus.Queued, laterQueued.Status);
        Assert.True(laterQueued.Place!.NobodyOnline);
        Assert.Null(laterQueued.Place.Position);

        await ann.SetStatusAsync(AgentStatus.Online);

        var back = await places.NextAsync(u => !u.NobodyOnline);
        Assert.Equal(1, back.Position);
        Assert.True(back.EstimatedWaitSeconds > 0);
        Assert.Equal(2, (await later.RequestHelpAsync(Help())).Place!.Position);
    }
}
