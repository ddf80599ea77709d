using LiveHelp.Core.Conversations;

namespace LiveHelp.Core.Tests.Conversations;

/// <summary>A conversation changes state only from where each change may start, and says why when it may not.</summary>
public sealed class ConversationTests
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 6, 9, 0, 0, TimeSpan.Zero);

    private static Conversation Waiting => new()
    {
        Id = "c1",
        VisitorId = "v1",
        Topic = "billing",
        Status = ConversationStatus.Queued,
        CreatedAt = T0,
        EnqueuedAt = T0,
    };

    private static string CodeOf(Func<Conversation> change) => Assert.Throws<LiveHelpException>(() => change()).Code;

    [Fact]
    public void An_agent_takes_a_waiting_conversation_and_the_first_assignment_time_is_kept_across_a_requeue()
    {
        var held = Waiting.AssignTo("ann", "Ann", T0.AddSeconds(5));
        var back = held.Requeue("ann", "tech", T0.AddSeconds(60));
        var again = back.AssignTo("bob", "Bob", T0.AddSeconds(70));

        Assert.Equal((ConversationStatus.Active, "ann", "Ann"), (held.Status, held.AgentId, held.AgentName));
        Assert.Equal((ConversationStatus.Queued, null, "tech", true, T0.AddSeconds(60)), (back.Status, back.AgentId, back.Topic, back.Requeued, back.EnqueuedAt));
        Assert.Equal(("bob", false, T0.AddSeconds(5)), (again.AgentId, again.Requeued, again.FirstAssignedAt));
        Assert.Equal(TimeSpan.FromSeconds(5), again.QueueWait);
    }

    [Fact]
    public void Only_a_waiting_conversation_can_be_taken_or_cancelled()
    {
        var held = Waiting.AssignTo("ann", "Ann", T0);

        Assert.Equal(ErrorCodes.OfferGone, CodeOf(() => held.AssignTo("bob", "Bob", T0)));
        Assert.Equal(ErrorCodes.OfferGone, CodeOf(() => Waiting.Close("agent", T0).AssignTo("bob", "Bob", T0)));
        Assert.Equal(ErrorCodes.NotQueued, CodeOf(() => held.Cancel(T0)));
        Assert.Equal((ConversationStatus.Cancelled, Roles.Customer), (Waiting.Cancel(T0).Status, Waiting.Cancel(T0).ClosedBy));
    }

    [Fact]
    public void Only_the_agent_who_holds_it_can_pass_it_on_or_put_it_back()
    {
        var held = Waiting.AssignTo("ann", "Ann", T0);

        Assert.Equal(ErrorCodes.Conflict, CodeOf(() => held.TransferTo("bob", "tia", "Tia")));
        Assert.Equal(ErrorCodes.Conflict, CodeOf(() => held.Requeue("bob", "billing", T0)));
        Assert.Equal(ErrorCodes.Conflict, CodeOf(() => Waiting.Requeue("ann", "billing", T0)));
        Assert.Equal(ErrorCodes.Conflict, CodeOf(() => held.Close("agent", T0).TransferTo("ann", "tia", "Tia")));
        Assert.Equal(("tia", "Tia"), (held.TransferTo("ann", "tia", "Tia").AgentId, held.TransferTo("ann", "tia", "Tia").AgentName));
    }

    [Fact]
    public void A_conversation_closes_once_and_is_rated_once_after_it_closed()
    {
        var open = Waiting.AssignTo("ann", "Ann", T0);
        var closed = open.Close("customer", T0.AddMinutes(3));

        Assert.Equal(TimeSpan.FromMinutes(3), closed.HandleTime);
        Assert.Equal(ErrorCodes.ConversationClosed, CodeOf(() => closed.Close("agent", T0)));
        Assert.Equal(ErrorCodes.InvalidInput, CodeOf(() => open.Rate(5, null)));
        Assert.Equal(ErrorCodes.RatingOutOfRange, CodeOf(() => closed.Rate(0, null)));
        Assert.Equal(ErrorCodes.RatingOutOfRange, CodeOf(() => closed.Rate(6, null)));
        var rated = closed.Rate(4, "quick");
        Assert.Equal((4, "quick"), (rated.Rating, rated.RatingComment));
        Assert.Equal(ErrorCodes.AlreadyRated, CodeOf(() => rated.Rate(5, null)));
    }

    [Fact]
    public void The_first_agent_reply_is_kept()
    {
        var replied = Waiting.AssignTo("ann", "Ann", T0).AgentReplied(T0.AddSeconds(9)).AgentReplied(T0.AddSeconds(30));

        Assert.Equal(TimeSpan.FromSeconds(9), replied.FirstResponse);
    }
}
