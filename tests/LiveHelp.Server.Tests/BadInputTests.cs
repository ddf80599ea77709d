using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LiveHelp.Client;
using LiveHelp.Core;
using LiveHelp.Core.Contracts;
using LiveHelp.Core.Conversations;

namespace LiveHelp.Server.Tests;

public sealed class BadInputTests : ServerTest
{
    private const int MaxMessageLength = 4000;

    [Theory]
    [InlineData("nul \0 inside")]
    [InlineData("nul at the end \0")]
    public async Task Text_that_not_every_store_can_keep_is_refused_and_an_emoji_is_not(string text)
    {
        var (customer, _, id) = await ConversationAsync(await AgentAsync("ann"));

        Assert.Equal(ErrorCodes.InvalidInput, (await RefusedAsync(() => customer.SendMessageAsync(id, text))).Code);
        Assert.Equal("thumbs \U0001F44D up", (await customer.SendMessageAsync(id, "thumbs \U0001F44D up")).Text);
        Assert.DoesNotContain((await customer.ResumeAsync(id, 0)).Messages, m => m.Text == text);
    }

    [Fact]
    public async Task Message_over_4000_characters_is_refused_and_exactly_4000_is_accepted()
    {
        var (customer, ann, id) = await ConversationAsync(await AgentAsync("ann"));
        var before = await TranscriptAsync(ann, id);

        var refused = await RefusedAsync(() => customer.SendMessageAsync(id, new string('x', MaxMessageLength + 1)));
        var refusedAgent = await RefusedAsync(() => ann.SendMessageAsync(id, new string('y', MaxMessageLength + 1)));
        var refusedNote = await RefusedAsync(() => ann.AddNoteAsync(id, new string('z', MaxMessageLength + 1)));

        Assert.Equal(ErrorCodes.TooLong, refused.Code);
        Assert.Equal(ErrorCodes.TooLong, refusedAgent.Code);
        Assert.Equal(ErrorCodes.TooLong, refusedNote.Code);
        Assert.Equal(before, await TranscriptAsync(ann, id));

        var longest = new string('a', MaxMessageLength - 1) + "!";
        var stored = await customer.SendMessageAsync(id, longest);
        Assert.Equal(longest, stored.Text);
        var after = await ann.ResumeAsync(id, 0);
        Assert.Equal([Help().Details, longest], after.Messages.Where(m => m.Kind == MessageKind.Customer).Select(m => m.Text));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("\n\t  \r\n")]
    public async Task Empty_or_blank_message_is_refused(string text)
    {
        var (customer, ann, id) = await ConversationAsync(await AgentAsync("ann"));
        var before = await TranscriptAsync(ann, id);

        Assert.Equal(ErrorCodes.InvalidInput, (await RefusedAsync(() => customer.SendMessageAsync(id, text))).Code);
        Assert.Equal(ErrorCodes.InvalidInput, (await RefusedAsync(() => ann.SendMessageAsync(id, text))).Code);
        Assert.Equal(ErrorCodes.InvalidInput, (await RefusedAsync(() => ann.AddNoteAsync(id, text))).Code);
        Assert.Equal(ErrorCodes.InvalidInput, (await RefusedAsync(() => customer.Connection.InvokeAsync<Message>(Hub.Methods.SendMessage, id, "m1", null))).Code);

        Assert.Equal(before, await TranscriptAsync(ann, id));
    }

    [Fact]
    public async Task Help_request_for_an_unknown_topic_is_refused_and_creates_nothing()
    {
        var ann = await AgentAsync("ann");
        var offers = new Inbox<OfferNotice>(h => ann.OfferReceived += h);
        var customer = await CustomerAsync();

        var refused = await RefusedAsync(() => customer.RequestHelpAsync(Help(topic: "astrology")));
        var blank = await RefusedAsync(() => customer.RequestHelpAsync(Help(topic: "")));

        Assert.Equal(ErrorCodes.UnknownTopic, refused.Code);
        Assert.Equal(ErrorCodes.InvalidInput, blank.Code);
        Assert.Empty(await customer.MyConversationsAsync());
        Assert.Empty(await ann.GetQueueAsync());
        var id = (await customer.RequestHelpAsync(Help())).Conversation!.Id;
        Assert.Equal(id, (await offers.NextAsync()).ConversationId);
    }

    [Fact]
    public async Task Message_to_an_unknown_conversation_is_not_found()
    {
        var ann = await AgentAsync("ann");
        var customer = await CustomerAsync();
        var madeUp = "c_" + Guid.NewGuid().ToString("N");

        Assert.Equal(ErrorCodes.NotFound, (await RefusedAsync(() => customer.SendMessageAsync(madeUp, "hello?"))).Code);
        Assert.Equal(ErrorCodes.NotFound, (await RefusedAsync(() => ann.SendMessageAsync(madeUp, "hello?"))).Code);
        Assert.Equal(ErrorCodes.NotFound, (await RefusedAsync(() => customer.SendMessageAsync(new string('c', 500), "hello?"))).Code);
        Assert.Equal(ErrorCodes.NotFound, (await RefusedAsync(() => customer.Connection.InvokeAsync<Message>(Hub.Methods.SendMessage, null, "m1", "hello?"))).Code);
        Assert.Empty(await customer.MyConversationsAsync());
    }

    [Fact]
    public async Task Message_to_a_closed_conversation_is_refused()
    {
        var (customer, ann, id) = await ConversationAsync(await AgentAsync("ann"));
        await customer.SendMessageAsync(id, "Thanks, bye");
        await ann.CloseAsync(id);
        var before = await TranscriptAsync(ann, id);

        Assert.Equal(ErrorCodes.ConversationClosed, (await RefusedAsync(() => customer.SendMessageAsync(id, "one more thing"))).Code);
        Assert.Equal(ErrorCodes.ConversationClosed, (await RefusedAsync(() => ann.SendMessageAsync(id, "are you there?"))).Code);
        Assert.Equal(ErrorCodes.ConversationClosed, (await RefusedAsync(() => ann.AddNoteAsync(id, "late note"))).Code);
        Assert.Equal(ErrorCodes.ConversationClosed, (await RefusedAsync(() => customer.CloseAsync(id))).Code);

        Assert.Equal(before, await TranscriptAsync(ann, id));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(6)]
    [InlineData(-1)]
    [InlineData(int.MaxValue)]
    public async Task Rating_outside_one_to_five_is_refused(int rating)
    {
        var (customer, _, id) = await ConversationAsync(await AgentAsync("ann"));
        await customer.CloseAsync(id);

        var refused = await RefusedAsync(() => customer.RateAsync(id, rating, "out of range"));

        Assert.Equal(ErrorCodes.RatingOutOfRange, refused.Code);
        var view = (await customer.ResumeAsync(id, 0)).Conversation;
        Assert.Null(view.Rating);
        Assert.Null(view.RatingComment);
        await customer.RateAsync(id, 1);
        Assert.Equal(1, (await customer.ResumeAsync(id, 0)).Conversation.Rating);
    }

    [Fact]
    public async Task Rating_before_close_and_a_second_rating_are_refused()
    {
        var (customer, _, id) = await ConversationAsync(await AgentAsync("ann"));

        var early = await RefusedAsync(() => customer.RateAsync(id, 2, "too early"));
        Assert.Equal(ErrorCodes.InvalidInput, early.Code);
        var open = (await customer.ResumeAsync(id, 0)).Conversation;
        Assert.Null(open.Rating);
        Assert.Equal(ConversationStatus.Active, open.Status);

        await customer.CloseAsync(id);
        await customer.RateAsync(id, 4, "good");
        var again = await RefusedAsync(() => customer.RateAsync(id, 1, "changed my mind"));

        Assert.Equal(ErrorCodes.AlreadyRated, again.Code);
        var closed = (await customer.ResumeAsync(id, 0)).Conversation;
        Assert.Equal(4, closed.Rating);
        Assert.Equal("good", closed.RatingComment);
    }

    [Fact]
    public async Task Too_long_pre_chat_fields_are_refused_and_create_nothing()
    {
        var ann = await AgentAsync("ann");
        var offers = new Inbox<OfferNotice>(h => ann.OfferReceived += h);
        var customer = await CustomerAsync();

        RequestHelpInput[] tooLong =
        [
            Help() with { Details = new string('d', MaxMessageLength + 1) },
            Help() with { Name = new string('n', 201) },
            Help() with { Email = new string('e', 309) + "@example.org" },
        ];
        foreach (var input in tooLong)
        {
            Assert.Equal(ErrorCodes.TooLong, (await RefusedAsync(() => customer.RequestHelpAsync(input))).Code);
        }
        Assert.Empty(await customer.MyConversationsAsync());
        Assert.Empty(await ann.GetQueueAsync());

        var longest = Help() with
        {
            Details = new string('d', MaxMessageLength),
            Name = new string('n', 200),
            Email = new string('e', 308) + "@example.org",
        };
        var id = (await customer.RequestHelpAsync(longest)).Conversation!.Id;
        var offered = await offers.NextAsync();
        Assert.Equal(id, offered.ConversationId);
        Assert.Equal(longest.Details, offered.Conversation.PreQualification.Details);
        Assert.Equal(longest.Name, offered.Conversation.PreQualification.Name);
        Assert.Equal(longest.Email, offered.Conversation.PreQualification.Email);
    }

    [Fact]
    public async Task Negative_sequence_numbers_are_refused()
    {
        var (customer, ann, id) = await ConversationAsync(await AgentAsync("ann"));
        await customer.SendMessageAsync(id, "Hello");
        await ann.MarkReadAsync(id, 2);
        await customer.MarkReadAsync(id, 1);
        var before = await TranscriptAsync(ann, id);

        Assert.Equal(ErrorCodes.InvalidInput, (await RefusedAsync(() => customer.ResumeAsync(id, -1))).Code);
        Assert.Equal(ErrorCodes.InvalidInput, (await RefusedAsync(() => ann.ResumeAsync(id, long.MinValue))).Code);
        Assert.Equal(ErrorCodes.InvalidInput, (await RefusedAsync(() => customer.MarkReadAsync(id, -1))).Code);
        Assert.Equal(ErrorCodes.InvalidInput, (await RefusedAsync(() => ann.MarkReadAsync(id, -5))).Code);

        Assert.Equal(before, await TranscriptAsync(ann, id));
        var view = (await ann.ResumeAsync(id, 0)).Conversation;
        Assert.Equal(1, view.CustomerReadSeq);
        Assert.Equal(2, view.AgentReadSeq);
    }

    [Fact]
    public async Task Transfer_needs_exactly_one_target()
    {
        var ann = await AgentAsync("ann");
        var (_, _, id) = await ConversationAsync(ann);
        var bob = await AgentAsync("bob", ["billing"]);
        var unassigned = new Inbox<Unassigned>(h => ann.Unassigned += h);
        var before = await TranscriptAsync(ann, id);

        var neither = await RefusedAsync(() => ann.TransferAsync(id, new TransferInput { Note = "someone take this" }));
        var both = await RefusedAsync(() => ann.TransferAsync(id, new TransferInput { ToAgentId = bob.AgentId, ToTopic = "billing", Note = "both" }));
        var none = await RefusedAsync(() => ann.Connection.InvokeAsync(Hub.Methods.Transfer, id, null));

        Assert.Equal(ErrorCodes.InvalidInput, neither.Code);
        Assert.Equal(ErrorCodes.InvalidInput, both.Code);
        Assert.Equal(ErrorCodes.InvalidInput, none.Code);
        Assert.Equal(before, await TranscriptAsync(ann, id));
        Assert.Equal(ann.AgentId, (await ann.ResumeAsync(id, 0)).Conversation.AgentId);
        Assert.Empty(unassigned.Seen);
        await ann.SendMessageAsync(id, "Still with you");
    }

    [Fact]
    public async Task Accepting_an_offer_made_to_someone_else_is_refused()
    {
        var ann = await AgentAsync("ann");
        var bob = await AgentAsync("bob", ["billing"]);
        var offers = new Inbox<OfferNotice>(h => ann.OfferReceived += h);
        var customer = await CustomerAsync();
        var id = (await customer.RequestHelpAsync(Help())).Conversation!.Id;
        await offers.NextAsync(o => o.ConversationId == id);

        Assert.Equal(ErrorCodes.OfferGone, (await RefusedAsync(() => bob.AcceptOfferAsync(id))).Code);
        Assert.Equal(ErrorCodes.OfferGone, (await RefusedAsync(() => bob.DeclineOfferAsync(id))).Code);

        Assert.Equal(ConversationStatus.Queued, (await customer.ResumeAsync(id, 0)).Conversation.Status);
        Assert.Empty(await HeldAsync(bob));
        var accepted = await ann.AcceptOfferAsync(id);
        Assert.Equal(ann.AgentId, accepted.AgentId);
    }

    [Fact]
    public async Task Accepting_an_offer_that_has_gone_is_refused()
    {
        var ann = await AgentAsync("ann");
        var offers = new Inbox<OfferNotice>(h => ann.OfferReceived += h);
        var withdrawn = new Inbox<OfferWithdrawn>(h => ann.OfferWithdrawn += h);
        var customer = await CustomerAsync();
        var cancelled = (await customer.RequestHelpAsync(Help())).Conversation!.Id;
        await offers.NextAsync(o => o.ConversationId == cancelled);
        await customer.CancelHelpAsync(cancelled);
        Assert.Equal("cancelled", (await withdrawn.NextAsync(w => w.ConversationId == cancelled)).Reason);

        Assert.Equal(ErrorCodes.OfferGone, (await RefusedAsync(() => ann.AcceptOfferAsync(cancelled))).Code);
        Assert.Equal(ErrorCodes.OfferGone, (await RefusedAsync(() => ann.AcceptOfferAsync("c_" + Guid.NewGuid().ToString("N")))).Code);
        Assert.Equal(ConversationStatus.Cancelled, (await customer.ResumeAsync(cancelled, 0)).Conversation.Status);
        Assert.Empty(await HeldAsync(ann));

        var next = await CustomerAsync();
        var id = (await next.RequestHelpAsync(Help())).Conversation!.Id;
        await offers.NextAsync(o => o.ConversationId == id);
        await ann.AcceptOfferAsync(id);
        Assert.Equal(ErrorCodes.OfferGone, (await RefusedAsync(() => ann.AcceptOfferAsync(id))).Code);
        Assert.Single(await HeldAsync(ann));
    }

    [Fact]
    public async Task Cancelling_a_conversation_that_is_not_waiting_is_refused()
    {
        var (customer, ann, id) = await ConversationAsync(await AgentAsync("ann"));
        var before = await TranscriptAsync(ann, id);

        var refused = await RefusedAsync(() => customer.CancelHelpAsync(id));

        Assert.Equal(ErrorCodes.NotQueued, refused.Code);
        Assert.Equal(before, await TranscriptAsync(ann, id));
        Assert.Equal(ConversationStatus.Active, (await customer.ResumeAsync(id, 0)).Conversation.Status);
        await customer.SendMessageAsync(id, "Still here");

        await customer.CloseAsync(id);
        Assert.Equal(ErrorCodes.NotQueued, (await RefusedAsync(() => customer.CancelHelpAsync(id))).Code);
        Assert.Equal(ConversationStatus.Closed, (await customer.ResumeAsync(id, 0)).Conversation.Status);
    }

    [Fact]
    public async Task Oversized_frame_closes_only_that_connection_and_the_customer_carries_on()
    {
        var (customer, ann, id) = await ConversationAsync(await AgentAsync("ann"));
        var annMessages = new Inbox<Message>(h => ann.MessageReceived += h);
        var reconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        customer.Reconnected += (_, _) => reconnected.TrySetResult();
        var before = await TranscriptAsync(ann, id);
        var huge = new string('h', 100 * 1024);

        await Assert.ThrowsAsync<LiveHelpConnectionException>(() => customer.Connection.InvokeAsync<Message>(Hub.Methods.SendMessage, id, "huge-1", huge));

        await reconnected.Task.WaitAsync(Inbox<Message>.Patience);
        Assert.Equal(HubConnectionState.Connected, customer.State);
        Assert.Equal(HubConnectionState.Connected, ann.State);
        Assert.Equal(before, await TranscriptAsync(ann, id));
        var sent = await customer.SendMessageAsync(id, "Sorry, here is the short version");
        Assert.Equal(sent.Seq, (await annMessages.NextAsync(m => m.Kind == MessageKind.Customer)).Seq);
        Assert.DoesNotContain((await ann.ResumeAsync(id, 0)).Messages, m => m.Text.Length > MaxMessageLength);
    }

    [Fact]
    public async Task Flooding_messages_is_rate_limited_and_only_accepted_messages_are_kept()
    {
        var (customer, ann, id) = await ConversationAsync(await AgentAsync("ann"));
        var texts = Enumerable.Range(1, 40).Select(i => $"flood {i}").ToList();

        var sends = texts.Select(text => ann.SendMessageAsync(id, text)).ToList();
        var outcomes = new List<(string Text, Message? Stored, LiveHelpHubException? Error)>();
        foreach (var (text, send) in texts.Zip(sends))
        {
            try
            {
                outcomes.Add((text, await send, null));
            }
            catch (LiveHelpHubException e)
            {
                outcomes.Add((text, null, e));
            }
        }

        var accepted = outcomes.Where(o => o.Stored is not null).Select(o => o.Text).ToList();
        var refused = outcomes.Where(o => o.Error is not null).ToList();
        Assert.NotEmpty(refused);
        Assert.All(refused, r => Assert.Equal(ErrorCodes.RateLimited, r.Error!.Code));
        Assert.True(accepted.Count >= 10, $"the burst of 10 should pass, {accepted.Count} did");

        var transcript = (await customer.ResumeAsync(id, 0)).Messages.Where(m => m.Kind == MessageKind.Agent).Select(m => m.Text).ToList();
        Assert.Equal(transcript.Count, transcript.Distinct().Count());
        Assert.Equal(accepted.Order(), transcript.Order());
        Assert.DoesNotContain(transcript, t => refused.Any(r => r.Text == t));

        // The bucket refills: after a pause the agent can write again.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (true)
        {
            try
            {
                await ann.SendMessageAsync(id, "back to normal");
                break;
            }
            catch (LiveHelpHubException e) when (e.Code == ErrorCodes.RateLimited && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    [Fact]
    public async Task Markup_is_stored_and_returned_exactly_as_sent()
    {
        const string image = "<img src=x onerror=alert(1)>";
        const string template = "{{constructor.constructor('x')()}}";
        const string mixed = "</script><script>alert('x')</script> & &amp; \"quoted\"\nline two \u2713 \U0001F600";
        var ann = await AgentAsync("ann");
        var annMessages = new Inbox<Message>(h => ann.MessageReceived += h);
        var (customer, _, id) = await ConversationAsync(ann, input: Help(details: template) with { Name = "<b>Chris</b>" });
        var customerMessages = new Inbox<Message>(h => customer.MessageReceived += h);

        Assert.Equal(image, (await customer.SendMessageAsync(id, image)).Text);
        Assert.Equal(image, (await annMessages.NextAsync(m => m.Kind == MessageKind.Customer)).Text);
        Assert.Equal(template, (await ann.SendMessageAsync(id, template)).Text);
        Assert.Equal(template, (await customerMessages.NextAsync(m => m.Kind == MessageKind.Agent)).Text);
        Assert.Equal(mixed, (await customer.SendMessageAsync(id, mixed)).Text);

        // The question from the form (the template) opens the conversation.
        string[] sent = [template, image, template, mixed];
        var resumed = await customer.ResumeAsync(id, 0);
        Assert.Equal(sent, resumed.Messages.Where(m => m.Kind is MessageKind.Customer or MessageKind.Agent).Select(m => m.Text));
        Assert.Equal(template, resumed.Conversation.PreQualification.Details);
        Assert.Equal("<b>Chris</b>", resumed.Conversation.PreQualification.Name);

        using var http = Host.Http(customer.Token);
        var json = await http.GetFromJsonAsync<ResumeResult>($"/api/conversations/{id}/transcript", Json.Options);
        Assert.Equal(sent, json!.Messages.Where(m => m.Kind is MessageKind.Customer or MessageKind.Agent).Select(m => m.Text));
        Assert.Equal(template, json.Conversation.PreQualification.Details);

        var text = await http.GetAsync($"/api/conversations/{id}/transcript.txt");
        Assert.Equal("text/plain", text.Content.Headers.ContentType?.MediaType);
        var body = await text.Content.ReadAsStringAsync();
        Assert.Contains($"<b>Chris</b> (customer): {image}", body);
        Assert.Contains($"Ann (agent): {template}", body);
        Assert.Contains(mixed, body);
        Assert.DoesNotContain("&lt;", body);
    }

    [Theory]
    [InlineData("/api/visitors", false)]
    [InlineData("/api/agents", true)]
    [InlineData("/api/auth/signin", false)]
    public async Task Malformed_json_body_is_refused_with_a_problem(string path, bool asAdmin)
    {
        using var admin = Host.Http(await Host.SignInAsync("admin", LiveHelpHost.AdminPassword));
        var agentsBefore = await admin.GetStringAsync("/api/agents");
        using var http = asAdmin ? Host.Http(await Host.SignInAsync("admin", LiveHelpHost.AdminPassword)) : Host.Http();

        foreach (var body in new[] { "{\"username\": \"mallory\", ", "not json at all", "[1, 2", "{\"name\": 5, \"maxConcurrent\": \"lots\", \"username\": 7}" })
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            var response = await http.PostAsync(path, content);
            Assert.Equal(ErrorCodes.InvalidInput, await ProblemJson.CodeAsync(response, HttpStatusCode.BadRequest));
        }

        Assert.Equal(agentsBefore, await admin.GetStringAsync("/api/agents"));
    }

    [Fact]
    public async Task Creating_an_agent_with_a_taken_username_is_a_conflict()
    {
        await Host.CreateAgentAsync("ann", ["general"]);
        using var admin = Host.Http(await Host.SignInAsync("admin", LiveHelpHost.AdminPassword));

        var response = await admin.PostAsJsonAsync("/api/agents", new { username = "ann", displayName = "Another Ann", password = "another-password", skills = new[] { "billing" } });

        Assert.Equal(ErrorCodes.Conflict, await ProblemJson.CodeAsync(response, HttpStatusCode.Conflict));
        var agents = await admin.GetFromJsonAsync<List<JsonElement>>("/api/agents");
        var ann = Assert.Single(agents!, a => a.GetProperty("username").GetString() == "ann");
        Assert.Equal("Ann", ann.GetProperty("displayName").GetString());
        await Host.SignInAsync("ann", LiveHelpHost.Password("ann"));
        using var anon = Host.Http();
        var signIn = await anon.PostAsJsonAsync("/api/auth/signin", new { username = "ann", password = "another-password" });
        Assert.Equal(HttpStatusCode.Unauthorized, signIn.StatusCode);
    }

    [Fact]
    public async Task Creating_an_agent_with_a_too_short_password_is_refused()
    {
        using var admin = Host.Http(await Host.SignInAsync("admin", LiveHelpHost.AdminPassword));

        var response = await admin.PostAsJsonAsync("/api/agents", new { username = "ann", displayName = "Ann", password = "short" });

        Assert.Equal(ErrorCodes.InvalidInput, await ProblemJson.CodeAsync(response, HttpStatusCode.BadRequest));
        var agents = await admin.GetFromJsonAsync<List<JsonElement>>("/api/agents");
        Assert.DoesNotContain(agents!, a => a.GetProperty("username").GetString() == "ann");
        using var anon = Host.Http();
        var signIn = await anon.PostAsJsonAsync("/api/auth/signin", new { username = "ann", password = "short" });
        Assert.Equal(HttpStatusCode.Unauthorized, signIn.StatusCode);
    }

    [Fact]
    public async Task Unknown_help_mode_or_agent_status_is_refused_as_invalid_input()
    {
        var ann = await AgentAsync("ann");
        var customer = await CustomerAsync();

        var mode = await RefusedAsync(() => customer.Connection.InvokeAsync<RequestHelpResult>(
            Hub.Methods.RequestHelp, new { topic = "general", mode = "video", details = "Can we do a video call?" }));
        var status = await RefusedAsync(() => ann.Connection.InvokeAsync(Hub.Methods.SetStatus, "busy"));
        var number = await RefusedAsync(() => ann.Connection.InvokeAsync(Hub.Methods.SetStatus, 7));

        Assert.Equal(ErrorCodes.InvalidInput, mode.Code);
        Assert.Equal(ErrorCodes.InvalidInput, status.Code);
        Assert.Equal(ErrorCodes.InvalidInput, number.Code);
        Assert.Empty(await customer.MyConversationsAsync());
        Assert.Equal(RequestHelpStatus.Queued, (await customer.RequestHelpAsync(Help())).Status);
    }

    [Fact]
    public async Task Transfer_to_an_unknown_agent_is_refused_as_agent_unavailable()
    {
        var ann = await AgentAsync("ann");
        var (customer, _, id) = await ConversationAsync(ann);
        var before = await TranscriptAsync(ann, id);

        var unknown = await RefusedAsync(() => ann.TransferAsync(id, new TransferInput { ToAgentId = "a_nobody", Note = "over to you" }));
        var overlong = await RefusedAsync(() => ann.TransferAsync(id, new TransferInput { ToAgentId = "a_" + new string('9', 100), Note = "over to you" }));

        Assert.Equal(ErrorCodes.AgentUnavailable, unknown.Code);
        Assert.Equal(ErrorCodes.AgentUnavailable, overlong.Code);
        Assert.Equal(before, await TranscriptAsync(ann, id));
        Assert.Equal(ann.AgentId, (await customer.ResumeAsync(id, 0)).Conversation.AgentId);
    }

    private static async Task<IReadOnlyList<ConversationView>> HeldAsync(AgentClient agent) =>
        await agent.Connection.InvokeAsync<IReadOnlyList<ConversationView>>(Hub.Methods.MyConversations);

    /// <summary>Everything the agent's side holds of the conversation, to compare before and after a refused call.</summary>
    private static async Task<string> TranscriptAsync(ConversationClient client, string id) =>
        JsonSerializer.Serialize(await client.Connection.InvokeAsync<ResumeResult>(Hub.Methods.Resume, id, 0L), Json.Options);
}
