using LiveHelp.Core.Routing;

namespace LiveHelp.Core.Tests.Routing;

public sealed class QueueOrderTests
{
    private static readonly DateTimeOffset T0 = ManualClock.DefaultStart;

    private static HelpRequest Request(string id, int secondsAfterStart, HelpMode mode = HelpMode.Chat, bool requeued = false) => new()
    {
        Id = id,
        Skill = "billing",
        Mode = mode,
        Priority = new RoutingOptions().PriorityOf(mode),
        EnqueuedAt = T0.AddSeconds(secondsAfterStart),
        Requeued = requeued,
    };

    private static string[] Order(params HelpRequest[] requests) =>
        RoutingPolicy.QueueOrder(requests).Select(r => r.Id).ToArray();

    [Fact]
    public void Longest_waiting_customer_is_served_first_when_priorities_are_equal()
    {
        Assert.Equal(
            ["first", "second", "third"],
            Order(Request("third", 30), Request("first", 10), Request("second", 20)));
    }

    [Fact]
    public void Mayday_is_served_before_a_chat_that_has_waited_longer()
    {
        Assert.Equal(
            ["mayday", "chat"],
            Order(Request("chat", 0, HelpMode.Chat), Request("mayday", 60, HelpMode.Mayday)));
    }

    [Fact]
    public void Requeued_customer_is_served_before_everyone_else_even_a_newer_mayday()
    {
        Assert.Equal(
            ["requeued", "mayday", "chat"],
            Order(
                Request("chat", 0),
                Request("mayday", 5, HelpMode.Mayday),
                Request("requeued", 50, HelpMode.Chat, requeued: true)));
    }

    [Fact]
    public void Requeued_customers_are_ordered_among_themselves_by_priority_then_age()
    {
        Assert.Equal(
            ["requeued-mayday", "requeued-old-chat", "requeued-new-chat", "fresh-mayday"],
            Order(
                Request("fresh-mayday", 0, HelpMode.Mayday),
                Request("requeued-new-chat", 20, requeued: true),
                Request("requeued-old-chat", 10, requeued: true),
                Request("requeued-mayday", 30, HelpMode.Mayday, requeued: true)));
    }

    [Fact]
    public void Default_priorities_put_mayday_above_chat()
    {
        var options = new RoutingOptions();

        Assert.True(options.PriorityOf(HelpMode.Mayday) > options.PriorityOf(HelpMode.Chat));
    }

    [Fact]
    public async Task Router_gives_the_only_agent_to_the_mayday_customer_even_though_the_chat_came_first()
    {
        var h = new RoutingHarness();
        await h.AddAgentAsync("ann");
        await h.RequestAsync("chat", mode: HelpMode.Chat);
        h.Clock.Advance(TimeSpan.FromSeconds(30));
        await h.RequestAsync("mayday", mode: HelpMode.Mayday);

        var events = await h.Router.MatchAsync();

        Assert.Equal([("mayday", "ann")], RoutingHarness.Offers(events));
        Assert.Equal(["mayday", "chat"], await h.QueueIdsAsync());
    }

    [Fact]
    public async Task Flipping_the_mode_priority_flips_who_is_served_first()
    {
        var options = new RoutingOptions { ModePriority = new() { [HelpMode.Chat] = 5, [HelpMode.Mayday] = 1 } };
        var h = new RoutingHarness(options);
        await h.AddAgentAsync("ann");
        await h.RequestAsync("mayday", mode: HelpMode.Mayday);
        h.Clock.Advance(TimeSpan.FromSeconds(30));
        await h.RequestAsync("chat", mode: HelpMode.Chat);

        var events = await h.Router.MatchAsync();

        Assert.Equal([("chat", "ann")], RoutingHarness.Offers(events));
        Assert.Equal(["chat", "mayday"], await h.QueueIdsAsync());
    }

    [Fact]
    public async Task Requeued_customer_gets_the_next_free_agent_before_customers_who_came_earlier()
    {
        var h = new RoutingHarness();
        await h.AddAgentAsync("ann");
        await h.RequestAsync("waiting-mayday", mode: HelpMode.Mayday);
        h.Clock.Advance(TimeSpan.FromMinutes(2));
        await h.RequestAsync("back-again", requeued: true);

        var events = await h.Router.MatchAsync();

        Assert.Equal([("back-again", "ann")], RoutingHarness.Offers(events));
    }
}
