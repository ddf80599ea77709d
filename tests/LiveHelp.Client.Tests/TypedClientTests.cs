using LiveHelp.Client.Tests.Hosting;
using LiveHelp.Core;
using LiveHelp.Core.Contracts;
using LiveHelp.Core.Conversations;

namespace LiveHelp.Client.Tests;

/// <summary>Customer, agent and device clients against a small LiveHelp hub speaking the contract.</summary>
public sealed class TypedClientTests : IAsyncLifetime
{
    private HubHost _host = null!;

    private Uri Mini => _host.Url("mini/");

    private static HubConnectionOptions FastReconnect() => new() { ReconnectDelays = [TimeSpan.Zero, TimeSpan.FromMilliseconds(50)] };

    public async Task InitializeAsync() => _host = await HubHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_place_that_arrives_after_the_agent_joined_is_not_shown_but_one_after_a_requeue_is()
    {
        await using var customer = new CustomerClient(Mini);
        var places = new List<QueueUpdate>();
        var joined = Await.Signal<AgentJoined>();
        var requeued = Await.Signal<QueueUpdate>();
        customer.QueueUpdated += (_, u) =>
        {
            places.Add(u);
            if (u.Position == 1 && places.Count > 1)
            {
                requeued.TrySetResult(u);
            }
        };
        customer.AgentJoined += (_, j) => joined.TrySetResult(j);
        await customer.StartAsync();
        var id = (await customer.RequestHelpAsync(new RequestHelpInput { Topic = "billing" })).Conversation!.Id;
        await using var agent = await AgentClient.SignInAsync(Mini, "sam", MiniApi.Password);
        await agent.AcceptOfferAsync(id);
        await joined.Task.Within();

        // The hub sends a late place from the stay the agent ended (position 2), then one from a later stay (position 1).
        await customer.Connection.InvokeAsync("SendPlacesAfterJoin", id);

        Assert.Equal(1, (await requeued.Task.Within()).Position);
        Assert.Equal([1, 1], places.Select(p => p.Position));
    }

    [Fact]
    public async Task A_customer_and_an_agent_hold_a_conversation()
    {
        await using var customer = new CustomerClient(Mini);
        var queued = Await.Signal<QueueUpdate>();
        var joined = Await.Signal<AgentJoined>();
        var customerTyping = Await.Signal<TypingNotice>();
        var customerRead = Await.Signal<ReadNotice>();
        var closed = Await.Signal<ConversationClosed>();
        var (customerSaw, customerAdd, customerDone) = Await.Collect<Message>(2);
        customer.QueueUpdated += (_, u) => queued.TrySetResult(u);
        customer.AgentJoined += (_, j) => joined.TrySetResult(j);
        customer.Typing += (_, t) => customerTyping.TrySetResult(t);
        customer.Read += (_, r) => customerRead.TrySetResult(r);
        customer.ConversationClosed += (_, c) => closed.TrySetResult(c);
        customer.MessageReceived += (_, m) => customerAdd(m);
        await customer.StartAsync(new VisitorIdentity { Name = "Ada" });

        var help = await customer.RequestHelpAsync(new RequestHelpInput { Topic = "billing", Details = "double charge", Name = "Ada" });
        var conversationId = help.Conversation!.Id;
        Assert.Equal(RequestHelpStatus.Queued, help.Status);
        Assert.Equal(HelpMode.Chat, help.Conversation.Mode);
        Assert.Equal(conversationId, (await queued.Task.Within()).ConversationId);

        await using var agent = await AgentClient.SignInAsync(Mini, "sam", MiniApi.Password);
        var status = Await.Signal<StatusChanged>();
        var agentTyping = Await.Signal<TypingNotice>();
        var (agentSaw, agentAdd, agentDone) = Await.Collect<Message>(3);
        agent.StatusChanged += (_, s) => status.TrySetResult(s);
        agent.Typing += (_, t) => agentTyping.TrySetResult(t);
        agent.MessageReceived += (_, m) => agentAdd(m);
        Assert.Equal("sam", agent.AgentId);
        Assert.Equal(Roles.Agent, agent.Role);

        await agent.SetStatusAsync(AgentStatus.Online);
        Assert.Equal(AgentStatus.Online, (await status.Task.Within()).Status);
        var queue = await agent.GetQueueAsync();
        Assert.Equal(conversationId, Assert.Single(queue).Conversation.Id);
        Assert.Equal("double charge", queue[0].Conversation.PreQualification.Details);

        var accepted = await agent.AcceptOfferAsync(conversationId);
        Assert.Equal(ConversationStatus.Active, accepted.Status);
        Assert.Equal("sam", (await joined.Task.Within()).AgentId);

        await customer.TypingAsync(conversationId, true);
        Assert.True((await agentTyping.Task.Within()).IsTyping);
        await agent.TypingAsync(conversationId, false);
        Assert.Equal(Roles.Agent, (await customerTyping.Task.Within()).Role);

        var hello = await agent.SendMessageAsync(conversationId, "Hello, I can help.");
        var thanks = await customer.SendMessageAsync(conversationId, "Thanks!");
        var note = await agent.AddNoteAsync(conversationId, "refund approved");
        await customerDone.Within();
        await agentDone.Within();

        Assert.Equal([1L, 2L], customer.Transcript(conversationId).Select(m => m.Seq));
        Assert.Equal([1L, 2L, 3L], agent.Transcript(conversationId).Select(m => m.Seq));
        Assert.Equal(MessageKind.Note, note.Kind);
        Assert.Equal([hello.Seq, thanks.Seq], customerSaw.Select(m => m.Seq));
        Assert.Equal(2, customer.LastSeenSeq(conversationId));
        Assert.Equal(3, agent.LastSeenSeq(conversationId));
        Assert.False(string.IsNullOrEmpty(thanks.ClientMessageId));

        await agent.MarkReadAsync(conversationId, thanks.Seq);
        Assert.Equal(new ReadNotice(conversationId, Roles.Agent, thanks.Seq), await customerRead.Task.Within());

        await agent.CloseAsync(conversationId);
        Assert.Equal(Roles.Agent, (await closed.Task.Within()).ClosedBy);
        await customer.RateAsync(conversationId, 5, "quick");
        var rateError = await Assert.ThrowsAsync<LiveHelpHubException>(() => customer.RateAsync(conversationId, 9));
        Assert.Equal(ErrorCodes.RatingOutOfRange, rateError.Code);
        var mine = await customer.MyConversationsAsync();
        Assert.Equal(5, Assert.Single(mine).Rating);
        Assert.Empty(customer.OpenConversations);
    }

    [Fact]
    public async Task Read_marks_reach_the_other_side()
    {
        await using var customer = await CustomerClient.ConnectAsync(Mini);
        await using var agent = await AgentClient.SignInAsync(Mini, "kim", MiniApi.Password);
        var read = Await.Signal<ReadNotice>();
        agent.Read += (_, r) => read.TrySetResult(r);
        var conversationId = (await customer.RequestHelpAsync(new RequestHelpInput { Topic = "orders" })).Conversation!.Id;
        await agent.AcceptOfferAsync(conversationId);
        var message = await agent.SendMessageAsync(conversationId, "Which order?");

        await customer.MarkReadAsync(conversationId, message.Seq);

        Assert.Equal(new ReadNotice(conversationId, Roles.Customer, message.Seq), await read.Task.Within());
    }

    [Fact]
    public async Task Hub_refusals_carry_their_code()
    {
        await using var customer = await CustomerClient.ConnectAsync(Mini);

        var error = await Assert.ThrowsAsync<LiveHelpHubException>(() => customer.RequestHelpAsync(new RequestHelpInput()));
        var missing = await Assert.ThrowsAsync<LiveHelpHubException>(() => customer.ResumeAsync("nope"));

        Assert.Equal(ErrorCodes.InvalidInput, error.Code);
        Assert.Equal("A topic is required.", error.Message);
        Assert.Equal(ErrorCodes.NotFound, missing.Code);
    }

    [Fact]
    public async Task After_a_reconnect_missed_messages_are_resumed_before_reconnected_is_raised()
    {
        await using var customer = await CustomerClient.ConnectAsync(Mini, options: FastReconnect());
        var events = new List<string>();
        var reconnected = Await.Signal<bool>();
        var first = Await.Signal<Message>();
        customer.MessageReceived += (_, m) =>
        {
            lock (events)
            {
                events.Add("message " + m.Seq);
            }
            first.TrySetResult(m);
        };
        customer.Reconnecting += (_, _) =>
        {
            lock (events)
            {
                events.Add("reconnecting");
            }
        };
        customer.Reconnected += (_, _) =>
        {
            lock (events)
            {
                events.Add("reconnected");
            }
            reconnected.TrySetResult(true);
        };
        var conversationId = (await customer.RequestHelpAsync(new RequestHelpInput { Topic = "billing" })).Conversation!.Id;
        await customer.SendMessageAsync(conversationId, "one");
        await first.Task.Within();

        try
        {
            await customer.Connection.InvokeAsync("DropMe", conversationId, 2);
        }
        catch (LiveHelpConnectionException)
        {
        }
        await reconnected.Task.Within();

        Assert.Equal(["message 1", "reconnecting", "message 2", "message 3", "reconnected"], events);
        Assert.Equal(["one", "missed 1", "missed 2"], customer.Transcript(conversationId).Select(m => m.Text));
        Assert.Equal(3, customer.LastSeenSeq(conversationId));

        // Live again: the resumed conversation's group was rejoined on the new connection.
        var live = Await.Signal<Message>();
        customer.MessageReceived += (_, m) => live.TrySetResult(m);
        await using var agent = await AgentClient.SignInAsync(Mini, "lee", MiniApi.Password);
        await agent.AcceptOfferAsync(conversationId);
        await agent.SendMessageAsync(conversationId, "still here");
        Assert.Equal(4, (await live.Task.Within()).Seq);
    }

    [Fact]
    public async Task A_resync_fetches_what_live_delivery_missed_and_a_failing_one_is_retried_by_the_next()
    {
        await using var customer = await CustomerClient.ConnectAsync(Mini);
        var conversationId = (await customer.RequestHelpAsync(new RequestHelpInput { Topic = "billing" })).Conversation!.Id;
        await customer.SendMessageAsync(conversationId, "one");

        var (seen, add, done) = Await.Collect<string>(2);
        customer.MessageReceived += (_, m) => add(m.Text);

        // The server is still recovering: the Resume the first resync starts fails. The conversation must stay
        // followed, so the second resync (handled after the first, in order) fetches both missed messages.
        await customer.Connection.InvokeAsync("MissThenResync", conversationId, 1, 1);
        await customer.Connection.InvokeAsync("MissThenResync", conversationId, 1, 0);
        await done.Within();

        Assert.Equal(["missed 1", "missed 1"], seen);
        Assert.Equal([1L, 2L, 3L], customer.Transcript(conversationId).Select(m => m.Seq));
        Assert.Contains(conversationId, customer.OpenConversations);
    }

    [Fact]
    public async Task A_message_seen_live_and_through_resume_is_raised_once()
    {
        await using var customer = await CustomerClient.ConnectAsync(Mini);
        var seen = new List<long>();
        var third = Await.Signal<bool>();
        var fourth = Await.Signal<bool>();
        customer.MessageReceived += (_, m) =>
        {
            lock (seen)
            {
                seen.Add(m.Seq);
            }
            (m.Seq == 3 ? third : m.Seq == 4 ? fourth : Await.Signal<bool>()).TrySetResult(true);
        };
        var conversationId = (await customer.RequestHelpAsync(new RequestHelpInput { Topic = "billing" })).Conversation!.Id;
        for (var i = 1; i <= 3; i++)
        {
            await customer.SendMessageAsync(conversationId, "line " + i);
        }
        await third.Task.Within();

        var everything = await customer.ResumeAsync(conversationId, afterSeq: 0);
        await customer.SendMessageAsync(conversationId, "line 4");
        await fourth.Task.Within();

        Assert.Equal(3, everything.Messages.Count);
        Assert.Equal([1L, 2L, 3L, 4L], seen);
        Assert.Equal([1L, 2L, 3L, 4L], customer.Transcript(conversationId).Select(m => m.Seq));
    }

    [Fact]
    public async Task Sending_again_with_the_same_client_message_id_stores_once()
    {
        await using var customer = await CustomerClient.ConnectAsync(Mini);
        var conversationId = (await customer.RequestHelpAsync(new RequestHelpInput { Topic = "billing" })).Conversation!.Id;

        var first = await customer.SendMessageAsync(conversationId, "hi", "cm-1");
        var again = await customer.SendMessageAsync(conversationId, "hi", "cm-1");

        Assert.Equal(first.Seq, again.Seq);
        Assert.Equal("cm-1", again.ClientMessageId);
        Assert.Single(customer.Transcript(conversationId));
    }

    [Fact]
    public async Task A_send_cut_off_by_a_drop_is_repeated_after_the_reconnect_with_the_same_id()
    {
        await using var customer = await CustomerClient.ConnectAsync(Mini, options: FastReconnect());
        var received = new List<Message>();
        customer.MessageReceived += (_, m) =>
        {
            lock (received)
            {
                received.Add(m);
            }
        };
        var conversationId = (await customer.RequestHelpAsync(new RequestHelpInput { Topic = "billing" })).Conversation!.Id;
        var firstConnection = customer.Connection.ConnectionId;

        var message = await customer.SendMessageAsync(conversationId, MiniLiveHelpHub.DropAfterStore).Within();
        var stored = await customer.ResumeAsync(conversationId, afterSeq: 0);

        Assert.NotEqual(firstConnection, customer.Connection.ConnectionId);
        Assert.Equal(MiniLiveHelpHub.DropAfterStore, message.Text);
        Assert.Single(stored.Messages);
        Assert.Equal(message.ClientMessageId, stored.Messages[0].ClientMessageId);
        Assert.Single(customer.Transcript(conversationId));
    }

    [Fact]
    public async Task A_device_asks_for_a_mayday_call_in_one_step()
    {
        await using var device = new DeviceClient(Mini);
        var queued = Await.Signal<QueueUpdate>();
        device.Customer.QueueUpdated += (_, u) => queued.TrySetResult(u);

        var result = await device.MaydayAsync(new DeviceInfo { Model = "Fire HD 10", Os = "Fire OS 8", AppVersion = "2.1.0" });

        var conversation = result.Conversation!;
        Assert.Equal(HelpMode.Mayday, conversation.Mode);
        Assert.Equal("device", conversation.Topic);
        Assert.Equal("Fire HD 10", conversation.PreQualification.DeviceModel);
        Assert.Equal("Fire OS 8", conversation.PreQualification.DeviceOs);
        Assert.Equal("2.1.0", conversation.PreQualification.AppVersion);
        Assert.Equal(conversation.Id, (await queued.Task.Within()).ConversationId);
        Assert.NotNull(device.Customer.VisitorId);
        var request = Assert.Single(_host.Store.Requests);
        Assert.Equal(HelpMode.Mayday, request.Mode);
        Assert.Equal([conversation.Id], device.Customer.OpenConversations);
    }

    [Fact]
    public async Task Leaving_a_message_and_cancelling_a_request()
    {
        await using var customer = await CustomerClient.ConnectAsync(Mini, new VisitorIdentity { Name = "Bo", Email = "bo@example.com" });
        var conversationId = (await customer.RequestHelpAsync(new RequestHelpInput { Topic = "billing" })).Conversation!.Id;

        await customer.CancelHelpAsync(conversationId);
        await customer.LeaveMessageAsync(new OfflineMessageInput { Text = "Call me back", Topic = "billing" });

        Assert.Empty(customer.OpenConversations);
        Assert.Equal("Call me back", Assert.Single(_host.Store.OfflineMessages).Text);
        Assert.Equal(ConversationStatus.Cancelled, Assert.Single(await customer.MyConversationsAsync()).Status);
    }

    [Fact]
    public async Task Agents_watch_and_transfer()
    {
        await using var customer = await CustomerClient.ConnectAsync(Mini);
        await using var agent = await AgentClient.SignInAsync(Mini, "ana", MiniApi.Password);
        var conversationId = (await customer.RequestHelpAsync(new RequestHelpInput { Topic = "billing" })).Conversation!.Id;
        await customer.SendMessageAsync(conversationId, "anyone?");

        var watched = await agent.WatchAsync(conversationId);
        await agent.AcceptOfferAsync(conversationId);
        await agent.TransferAsync(conversationId, new TransferInput { ToTopic = "refunds", Note = "wants a refund" });
        await agent.DeclineOfferAsync(conversationId);

        Assert.Equal("anyone?", Assert.Single(watched.Messages).Text);
        Assert.Equal(["anyone?"], agent.Transcript(conversationId).Select(m => m.Text));
        Assert.Empty(agent.OpenConversations);
        Assert.Equal("refunds", Assert.Single(await agent.GetQueueAsync()).Conversation.Topic);
    }

    [Fact]
    public async Task Http_refusals_carry_code_and_status()
    {
        var badVisitor = await Assert.ThrowsAsync<LiveHelpApiException>(() => CustomerClient.ConnectAsync(Mini, new VisitorIdentity { Name = "bad" }));
        var badPassword = await Assert.ThrowsAsync<LiveHelpApiException>(() => AgentClient.SignInAsync(Mini, "sam", "guess"));

        Assert.Equal(ErrorCodes.InvalidInput, badVisitor.Code);
        Assert.Equal(400, badVisitor.Status);
        Assert.Equal("The name is not allowed.", badVisitor.Message);
        Assert.Equal(ErrorCodes.Unauthorized, badPassword.Code);
        Assert.Equal(401, badPassword.Status);
    }

    [Fact]
    public async Task A_visitor_token_kept_from_before_keeps_the_visitor()
    {
        var api = new LiveHelpApi(Mini);
        var first = await api.CreateVisitorAsync(new VisitorIdentity { Name = "Cy" });
        var again = await api.CreateVisitorAsync(visitorToken: first.Token);

        await using var customer = await CustomerClient.ConnectWithTokenAsync(Mini, first.Token);
        var conversation = (await customer.RequestHelpAsync(new RequestHelpInput { Topic = "billing" })).Conversation!;

        Assert.Equal(first.VisitorId, again.VisitorId);
        Assert.Equal(first.VisitorId, conversation.VisitorId);
        Assert.Equal(first.Token, customer.Token);
    }
}
