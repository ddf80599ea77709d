using LiveHelp.Core.Calls;

namespace LiveHelp.Core.Tests.Calls;

/// <summary>The live-call store contract: in memory for one node, Redis for several.</summary>
public abstract class CallStoreBehaviour
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 6, 9, 0, 0, TimeSpan.FromHours(2));

    protected abstract ICallStore CreateStore();

    private static Call Ringing(string id = "k1", string conversationId = "c1") =>
        CallRules.Start(id, conversationId, CallProfile.Mayday, Roles.Agent, T0);

    [Fact]
    public async Task A_conversation_has_at_most_one_live_call()
    {
        var store = CreateStore();

        Assert.True(await store.TryAddAsync(Ringing()));
        Assert.False(await store.TryAddAsync(Ringing("k2")));
        Assert.True(await store.TryAddAsync(Ringing("k3", "c2")));
        Assert.Equal(["c1", "c2"], (await store.ListLiveAsync()).Select(c => c.ConversationId).Order());
    }

    [Fact]
    public async Task A_stored_call_round_trips_exactly()
    {
        var store = CreateStore();
        await store.TryAddAsync(Ringing());
        var stored = (await store.FindLiveAsync("c1"))!;
        var connected = CallRules.Connected(CallRules.Answer(stored, T0.AddTicks(12345)), Roles.Customer, T0.AddSeconds(3)) with { Screen = ScreenShare.Paused };

        var updated = await store.TryUpdateAsync(connected);

        Assert.Equal(connected with { Version = updated!.Version }, updated);
        Assert.Equal(updated, await store.FindLiveAsync("c1"));
        Assert.Equal(T0.AddTicks(12345), updated.AnsweredAt);
        Assert.Equal(TimeSpan.FromHours(2), updated.RingingAt.Offset);
        Assert.Equal(ScreenShare.Paused, updated.Screen);
        Assert.Equal(T0.AddSeconds(3), updated.CustomerAliveAt);
    }

    [Fact]
    public async Task A_stale_update_is_refused_and_changes_nothing()
    {
        var store = CreateStore();
        await store.TryAddAsync(Ringing());
        var stored = (await store.FindLiveAsync("c1"))!;
        var answered = await store.TryUpdateAsync(CallRules.Answer(stored, T0));

        Assert.Null(await store.TryUpdateAsync(CallRules.End(stored, CallRules.Hangup, T0)));
        Assert.Null(await store.TryUpdateAsync(answered! with { Id = "k-other" }));
        Assert.Equal(answered, await store.FindLiveAsync("c1"));
    }

    [Fact]
    public async Task An_ended_call_leaves_the_store_and_a_new_one_may_ring()
    {
        var store = CreateStore();
        await store.TryAddAsync(Ringing());
        var stored = (await store.FindLiveAsync("c1"))!;

        Assert.NotNull(await store.TryUpdateAsync(CallRules.End(stored, CallRules.Declined, T0)));

        Assert.Null(await store.FindLiveAsync("c1"));
        Assert.Null(await store.TryUpdateAsync(stored));
        Assert.True(await store.TryAddAsync(Ringing("k2")));
    }
}
