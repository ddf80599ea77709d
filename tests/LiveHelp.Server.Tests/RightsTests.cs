using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using LiveHelp.Client;
using LiveHelp.Core;
using LiveHelp.Core.Contracts;
using LiveHelp.Core.Conversations;
using LiveHelp.Server.Auth;
using Microsoft.Extensions.DependencyInjection;

namespace LiveHelp.Server.Tests;

public sealed class RightsTests : ServerTest
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(500);

    // A customer reaching into another customer's conversation

    [Fact]
    public async Task An_agent_reads_a_customers_earlier_conversations_while_serving_them_and_not_otherwise()
    {
        var ann = await AgentAsync("ann", maxConcurrent: 1);
        var (customer, _, earlier) = await ConversationAsync(ann);
        await customer.SendMessageAsync(earlier, "My first question");
        await ann.CloseAsync(earlier);
        var bob = await AgentAsync("bob");
        using var bobHttp = Host.Http(bob.Token);

        Assert.Equal(ErrorCodes.NotFound, await ProblemJson.CodeAsync(await bobHttp.GetAsync($"/api/conversations/{earlier}/transcript"), HttpStatusCode.NotFound));
        Assert.Equal(ErrorCodes.NotFound, await ProblemJson.CodeAsync(await bobHttp.GetAsync($"/api/visitors/{customer.VisitorId}/conversations"), HttpStatusCode.NotFound));

        var (_, _, now) = await ConversationAsync(bob, customer);
        var history = await bobHttp.GetFromJsonAsync<List<ConversationView>>($"/api/visitors/{customer.VisitorId}/conversations", Json.Options);
        Assert.Equal([now, earlier], history!.Select(c => c.Id));
        var transcript = await bobHttp.GetFromJsonAsync<ResumeResult>($"/api/conversations/{earlier}/transcript", Json.Options);
        Assert.Contains(transcript!.Messages, m => m.Text == "My first question");
        Assert.Equal(ErrorCodes.NotFound, (await RefusedAsync(() => bob.SendMessageAsync(earlier, "writing into the old one"))).Code);

        await bob.CloseAsync(now);
        Assert.Equal(ErrorCodes.NotFound, await ProblemJson.CodeAsync(await bobHttp.GetAsync($"/api/conversations/{earlier}/transcript"), HttpStatusCode.NotFound));
    }

    [Fact]
    public async Task The_agent_who_held_a_conversation_gets_its_rating_live_and_another_agent_serving_the_customer_later_never_sees_it()
    {
        var ann = await AgentAsync("ann");
        var ratings = new Inbox<ConversationRated>(h => ann.ConversationRated += h);
        var (customer, _, earlier) = await ConversationAsync(ann);
        await ann.CloseAsync(earlier);

        await customer.RateAsync(earlier, 2, "Slow to answer");

        Assert.Equal(new ConversationRated(earlier, 2, "Slow to answer"), await ratings.NextAsync());
        var held = (await ann.ResumeAsync(earlier, 0)).Conversation;
        Assert.Equal((2, "Slow to answer"), (held.Rating, held.RatingComment));

        // Bob serves the same customer later: he reads their history, but not what they said about Ann.
        await ann.SetStatusAsync(AgentStatus.Offline);
        var bob = await AgentAsync("bob");
        var bobRatings = new Inbox<ConversationRated>(h => bob.ConversationRated += h);
        await ConversationAsync(bob, customer);
        using var bobHttp = Host.Http(bob.Token);
        var history = await bobHttp.GetFromJsonAsync<List<ConversationView>>($"/api/visitors/{customer.VisitorId}/conversations", Json.Options);
        var old = history!.Single(c => c.Id == earlier);
        Assert.Equal((null, null), (old.Rating, old.RatingComment));
        var transcript = await bobHttp.GetFromJsonAsync<ResumeResult>($"/api/conversations/{earlier}/transcript", Json.Options);
        Assert.Equal((null, null), (transcript!.Conversation.Rating, transcript.Conversation.RatingComment));
        Assert.DoesNotContain("Slow to answer", await bobHttp.GetStringAsync($"/api/conversations/{earlier}/transcript.txt"));
        Assert.Null((await bob.ResumeAsync(earlier, 0)).Conversation.Rating);
        Assert.Empty(bobRatings.Seen);

        // A supervisor sees every rating.
        var sue = await AgentAsync("sue", ["supervision"], role: Roles.Supervisor, status: AgentStatus.Offline);
        using var sueHttp = Host.Http(sue.Token);
        var overseen = await sueHttp.GetFromJsonAsync<List<ConversationView>>($"/api/visitors/{customer.VisitorId}/conversations", Json.Options);
        Assert.Equal((2, "Slow to answer"), overseen!.Where(c => c.Id == earlier).Select(c => (c.Rating, c.RatingComment)).Single());
    }

    [Fact]
    public async Task Customer_cannot_resume_another_customers_conversation()
    {
        var (owner, _, id, intruder) = await TwoCustomersAsync();
        var before = await SnapshotAsync(owner, id);

        await AssertLooksUnknownAsync(c => intruder.ResumeAsync(c, 0), id);

        Assert.Equal(before, await SnapshotAsync(owner, id));
    }

    [Fact]
    public async Task Customer_cannot_send_into_another_customers_conversation()
    {
        var (owner, ann, id, intruder) = await TwoCustomersAsync();
        var annMessages = new Inbox<Message>(h => ann.MessageReceived += h);
        var before = await SnapshotAsync(owner, id);

        await AssertLooksUnknownAsync(c => intruder.SendMessageAsync(c, "I am not who you think"), id);

        Assert.Equal(before, await SnapshotAsync(owner, id));
        await owner.SendMessageAsync(id, "Still me");
        Assert.Equal("Still me", (await annMessages.NextAsync(m => m.Kind == MessageKind.Customer)).Text);
    }

    [Fact]
    public async Task Customer_cannot_show_typing_in_another_customers_conversation()
    {
        var (owner, ann, id, intruder) = await TwoCustomersAsync();
        var typing = new Inbox<TypingNotice>(h => ann.Typing += h);
        var before = await SnapshotAsync(owner, id);

        await AssertLooksUnknownAsync(c => intruder.TypingAsync(c, true), id);

        // Had the intruder's notice gone out, it would reach the agent before the owner's.
        await owner.TypingAsync(id, false);
        var first = await typing.NextAsync();
        Assert.False(first.IsTyping);
        Assert.Equal(before, await SnapshotAsync(owner, id));
    }

    [Fact]
    public async Task Customer_cannot_mark_another_customers_conversation_read()
    {
        var (owner, ann, id, intruder) = await TwoCustomersAsync();
        var reads = new Inbox<ReadNotice>(h => ann.Read += h);
        var before = await SnapshotAsync(owner, id);

        await AssertLooksUnknownAsync(c => intruder.MarkReadAsync(c, 2), id);

        Assert.Equal(before, await SnapshotAsync(owner, id));
        // Their question from the form (seq 1) is read already, as they wrote it; the join line after it is not.
        await owner.MarkReadAsync(id, 2);
        Assert.Equal(2, (await reads.NextAsync()).Seq);
    }

    [Fact]
    public async Task Customer_cannot_rate_another_customers_conversation()
    {
        var (owner, _, id, intruder) = await TwoCustomersAsync();
        await owner.CloseAsync(id);
        var before = await SnapshotAsync(owner, id);

        await AssertLooksUnknownAsync(c => intruder.RateAsync(c, 1, "terrible"), id);

        Assert.Equal(before, await SnapshotAsync(owner, id));
        await owner.RateAsync(id, 5, "great");
        Assert.Equal(5, (await owner.ResumeAsync(id, 0)).Conversation.Rating);
    }

    [Fact]
    public async Task Customer_cannot_close_another_customers_conversation()
    {
        var (owner, ann, id, intruder) = await TwoCustomersAsync();
        var before = await SnapshotAsync(owner, id);

        await AssertLooksUnknownAsync(c => intruder.CloseAsync(c), id);

        Assert.Equal(before, await SnapshotAsync(owner, id));
        Assert.Equal(ConversationStatus.Active, (await owner.ResumeAsync(id, 0)).Conversation.Status);
        await ann.SendMessageAsync(id, "Still here for you");
    }

    [Fact]
    public async Task Customer_cannot_cancel_another_customers_request()
    {
        var ann = await AgentAsync("ann");
        var offers = new Inbox<OfferNotice>(h => ann.OfferReceived += h);
        var owner = await CustomerAsync();
        var id = (await owner.RequestHelpAsync(Help())).Conversation!.Id;
        await offers.NextAsync(o => o.ConversationId == id);
        var intruder = await CustomerAsync();
        var before = await SnapshotAsync(owner, id);

        await AssertLooksUnknownAsync(c => intruder.CancelHelpAsync(c), id);

        Assert.Equal(before, await SnapshotAsync(owner, id));
        Assert.Equal(ConversationStatus.Queued, (await owner.ResumeAsync(id, 0)).Conversation.Status);
        Assert.Equal(ConversationStatus.Active, (await ann.AcceptOfferAsync(id)).Status);
    }

    // A customer calling what only staff may call

    [Fact]
    public async Task Customer_cannot_set_an_agent_status()
    {
        var customer = await CustomerAsync();

        var refused = await RefusedAsync(() => customer.Connection.InvokeAsync(Hub.Methods.SetStatus, AgentStatus.Online));

        Assert.Equal(ErrorCodes.Forbidden, refused.Code);
        Assert.Equal(RequestHelpStatus.NoAgentsOnline, (await customer.RequestHelpAsync(Help())).Status);
    }

    [Fact]
    public async Task Customer_cannot_accept_an_offer()
    {
        var ann = await AgentAsync("ann");
        var offers = new Inbox<OfferNotice>(h => ann.OfferReceived += h);
        var customer = await CustomerAsync();
        var id = (await customer.RequestHelpAsync(Help())).Conversation!.Id;
        await offers.NextAsync(o => o.ConversationId == id);

        var refused = await RefusedAsync(() => customer.Connection.InvokeAsync<ConversationView>(Hub.Methods.AcceptOffer, id));

        Assert.Equal(ErrorCodes.Forbidden, refused.Code);
        Assert.Equal(ConversationStatus.Queued, (await customer.ResumeAsync(id, 0)).Conversation.Status);
        Assert.Equal(ann.AgentId, (await ann.AcceptOfferAsync(id)).AgentId);
    }

    [Fact]
    public async Task Customer_cannot_decline_an_offer()
    {
        var ann = await AgentAsync("ann");
        var offers = new Inbox<OfferNotice>(h => ann.OfferReceived += h);
        var withdrawn = new Inbox<OfferWithdrawn>(h => ann.OfferWithdrawn += h);
        var customer = await CustomerAsync();
        var id = (await customer.RequestHelpAsync(Help())).Conversation!.Id;
        await offers.NextAsync(o => o.ConversationId == id);

        var refused = await RefusedAsync(() => customer.Connection.InvokeAsync(Hub.Methods.DeclineOffer, id));

        Assert.Equal(ErrorCodes.Forbidden, refused.Code);
        Assert.Equal(ann.AgentId, (await ann.AcceptOfferAsync(id)).AgentId);
        Assert.Empty(withdrawn.Seen);
    }

    [Fact]
    public async Task Customer_cannot_add_an_internal_note()
    {
        var ann = await AgentAsync("ann");
        var (customer, _, id) = await ConversationAsync(ann);
        var before = await SnapshotAsync(ann, id);

        var refused = await RefusedAsync(() => customer.Connection.InvokeAsync<Message>(Hub.Methods.AddNote, id, "n1", "note from a customer"));

        Assert.Equal(ErrorCodes.Forbidden, refused.Code);
        Assert.Equal(before, await SnapshotAsync(ann, id));
        Assert.DoesNotContain((await ann.ResumeAsync(id, 0)).Messages, m => m.Kind == MessageKind.Note);
    }

    [Fact]
    public async Task Customer_cannot_transfer_a_conversation()
    {
        var ann = await AgentAsync("ann");
        var bob = await AgentAsync("bob", ["billing"]);
        var unassigned = new Inbox<Unassigned>(h => ann.Unassigned += h);
        var (customer, _, id) = await ConversationAsync(ann);
        var before = await SnapshotAsync(ann, id);

        var toTopic = await RefusedAsync(() => customer.Connection.InvokeAsync(Hub.Methods.Transfer, id, new TransferInput { ToTopic = "billing" }));
        var toAgent = await RefusedAsync(() => customer.Connection.InvokeAsync(Hub.Methods.Transfer, id, new TransferInput { ToAgentId = bob.AgentId }));

        Assert.Equal(ErrorCodes.Forbidden, toTopic.Code);
        Assert.Equal(ErrorCodes.Forbidden, toAgent.Code);
        Assert.Equal(before, await SnapshotAsync(ann, id));
        var view = (await customer.ResumeAsync(id, 0)).Conversation;
        Assert.Equal(ann.AgentId, view.AgentId);
        Assert.Equal("general", view.Topic);
        Assert.Empty(unassigned.Seen);
    }

    [Fact]
    public async Task Customer_cannot_watch_a_conversation()
    {
        var ann = await AgentAsync("ann");
        var (owner, _, id) = await ConversationAsync(ann);
        var watcher = await CustomerAsync();
        var watched = new Inbox<Message>(h => watcher.MessageReceived += h);

        var stranger = await RefusedAsync(() => watcher.Connection.InvokeAsync<ResumeResult>(Hub.Methods.Watch, id));
        var own = await RefusedAsync(() => owner.Connection.InvokeAsync<ResumeResult>(Hub.Methods.Watch, id));

        Assert.Equal(ErrorCodes.Forbidden, stranger.Code);
        Assert.Equal(ErrorCodes.Forbidden, own.Code);
        await ann.AddNoteAsync(id, "staff only");
        await ann.SendMessageAsync(id, "for the customer");
        await watched.NoneAsync(null, Quiet);
    }

    [Fact]
    public async Task Customer_cannot_see_the_queue()
    {
        var ann = await AgentAsync("ann");
        var offers = new Inbox<OfferNotice>(h => ann.OfferReceived += h);
        var waiting = await CustomerAsync();
        var id = (await waiting.RequestHelpAsync(Help())).Conversation!.Id;
        await offers.NextAsync(o => o.ConversationId == id);
        var customer = await CustomerAsync();

        var refused = await RefusedAsync(() => customer.Connection.InvokeAsync<IReadOnlyList<QueueEntry>>(Hub.Methods.GetQueue));

        Assert.Equal(ErrorCodes.Forbidden, refused.Code);
        Assert.Contains(await ann.GetQueueAsync(), e => e.Conversation.Id == id);
    }

    // An agent reaching into a conversation another agent holds

    [Fact]
    public async Task Agent_cannot_send_into_a_conversation_held_by_another_agent()
    {
        var (ann, bob, customer, id) = await TwoAgentsAsync();
        var customerMessages = new Inbox<Message>(h => customer.MessageReceived += h);
        var before = await SnapshotAsync(ann, id);

        await AssertLooksUnknownAsync(c => bob.SendMessageAsync(c, "Hi, Bob here"), id);

        Assert.Equal(before, await SnapshotAsync(ann, id));
        await ann.SendMessageAsync(id, "Ann here");
        Assert.Equal("Ann here", (await customerMessages.NextAsync(m => m.Kind == MessageKind.Agent)).Text);
    }

    [Fact]
    public async Task Agent_cannot_add_a_note_to_a_conversation_held_by_another_agent()
    {
        var (ann, bob, _, id) = await TwoAgentsAsync();
        var before = await SnapshotAsync(ann, id);

        await AssertLooksUnknownAsync(c => bob.AddNoteAsync(c, "bob was here"), id);

        Assert.Equal(before, await SnapshotAsync(ann, id));
    }

    [Fact]
    public async Task Agent_cannot_close_a_conversation_held_by_another_agent()
    {
        var (ann, bob, customer, id) = await TwoAgentsAsync();
        var before = await SnapshotAsync(ann, id);

        await AssertLooksUnknownAsync(c => bob.CloseAsync(c), id);

        Assert.Equal(before, await SnapshotAsync(ann, id));
        Assert.Equal(ConversationStatus.Active, (await customer.ResumeAsync(id, 0)).Conversation.Status);
    }

    [Fact]
    public async Task Agent_cannot_transfer_a_conversation_held_by_another_agent()
    {
        var (ann, bob, _, id) = await TwoAgentsAsync();
        var unassigned = new Inbox<Unassigned>(h => ann.Unassigned += h);
        var before = await SnapshotAsync(ann, id);

        await AssertLooksUnknownAsync(c => bob.TransferAsync(c, new TransferInput { ToAgentId = bob.AgentId, Note = "mine now" }), id);
        await AssertLooksUnknownAsync(c => bob.TransferAsync(c, new TransferInput { ToTopic = "billing" }), id);

        Assert.Equal(before, await SnapshotAsync(ann, id));
        Assert.Equal(ann.AgentId, (await ann.ResumeAsync(id, 0)).Conversation.AgentId);
        Assert.Empty(unassigned.Seen);
    }

    [Fact]
    public async Task Agent_cannot_read_or_watch_a_conversation_held_by_another_agent()
    {
        var (ann, bob, _, id) = await TwoAgentsAsync();
        await ann.AddNoteAsync(id, "customer sounds upset");

        await AssertLooksUnknownAsync(c => bob.ResumeAsync(c, 0), id);
        await AssertLooksUnknownAsync(c => bob.WatchAsync(c), id);

        using var http = Host.Http(bob.Token);
        Assert.Equal(ErrorCodes.NotFound, await ProblemJson.CodeAsync(await http.GetAsync($"/api/conversations/{id}/transcript"), HttpStatusCode.NotFound));
        Assert.Equal(ErrorCodes.NotFound, await ProblemJson.CodeAsync(await http.GetAsync($"/api/conversations/{id}/transcript.txt"), HttpStatusCode.NotFound));
    }

    [Fact]
    public async Task Agent_cannot_call_what_only_customers_may_call()
    {
        var ann = await AgentAsync("ann");
        var (customer, _, id) = await ConversationAsync(ann);
        var before = await SnapshotAsync(ann, id);

        var help = await RefusedAsync(() => ann.Connection.InvokeAsync<RequestHelpResult>(Hub.Methods.RequestHelp, Help()));
        var cancel = await RefusedAsync(() => ann.Connection.InvokeAsync(Hub.Methods.CancelHelp, id));
        var leave = await RefusedAsync(() => ann.Connection.InvokeAsync(Hub.Methods.LeaveMessage, new OfflineMessageInput { Text = "call me" }));
        await customer.CloseAsync(id);
        before = await SnapshotAsync(ann, id);
        var rate = await RefusedAsync(() => ann.Connection.InvokeAsync(Hub.Methods.Rate, id, 5, "I was great"));

        Assert.All([help, cancel, leave, rate], e => Assert.Equal(ErrorCodes.Forbidden, e.Code));
        Assert.Equal(before, await SnapshotAsync(ann, id));
        Assert.Null((await customer.ResumeAsync(id, 0)).Conversation.Rating);
        using var admin = Host.Http(await Host.SignInAsync("admin", LiveHelpHost.AdminPassword));
        Assert.DoesNotContain("call me", await admin.GetStringAsync("/api/offline-messages"));
    }

    // Supervisors

    [Fact]
    public async Task Supervisor_can_read_and_watch_any_conversation_but_cannot_speak_in_it()
    {
        var ann = await AgentAsync("ann");
        var sue = await AgentAsync("sue", ["supervision"], role: Roles.Supervisor, status: AgentStatus.Offline);
        var sueMessages = new Inbox<Message>(h => sue.MessageReceived += h);
        var (customer, _, id) = await ConversationAsync(ann);
        await customer.SendMessageAsync(id, "Where is my parcel?");
        await ann.AddNoteAsync(id, "tracking shows it lost");

        var resumed = await sue.ResumeAsync(id, 0);
        Assert.Contains(resumed.Messages, m => m.Text == "Where is my parcel?");
        Assert.Contains(resumed.Messages, m => m.Kind == MessageKind.Note && m.Text == "tracking shows it lost");

        var watched = await sue.WatchAsync(id);
        Assert.Equal(resumed.Messages.Select(m => m.Seq), watched.Messages.Select(m => m.Seq));
        await customer.SendMessageAsync(id, "Any news?");
        Assert.Equal("Any news?", (await sueMessages.NextAsync(m => m.Text == "Any news?")).Text);
        await ann.AddNoteAsync(id, "escalating");
        Assert.Equal(MessageKind.Note, (await sueMessages.NextAsync(m => m.Text == "escalating")).Kind);
        await ann.SendMessageAsync(id, "I am sending a new one");
        Assert.Equal(MessageKind.Agent, (await sueMessages.NextAsync(m => m.Text == "I am sending a new one")).Kind);

        using var http = Host.Http(sue.Token);
        var transcript = await http.GetFromJsonAsync<ResumeResult>($"/api/conversations/{id}/transcript", Json.Options);
        Assert.Contains(transcript!.Messages, m => m.Kind == MessageKind.Note && m.Text == "escalating");
        Assert.Contains("I am sending a new one", await http.GetStringAsync($"/api/conversations/{id}/transcript.txt"));

        var before = await SnapshotAsync(ann, id);
        await AssertLooksUnknownAsync(c => sue.SendMessageAsync(c, "Supervisor speaking"), id);
        Assert.Equal(before, await SnapshotAsync(ann, id));
    }

    // Internal notes

    [Fact]
    public async Task Customer_never_sees_internal_notes_while_the_agent_does()
    {
        var ann = await AgentAsync("ann");
        var (customer, _, id) = await ConversationAsync(ann);
        var bob = await AgentAsync("bob");
        var customerMessages = new Inbox<Message>(h => customer.MessageReceived += h);
        var bobAssigned = new Inbox<ConversationView>(h => bob.Assigned += h);
        await customer.SendMessageAsync(id, "Hello");
        await ann.AddNoteAsync(id, "VIP, offer a refund");
        await ann.TransferAsync(id, new TransferInput { ToAgentId = bob.AgentId, Note = "handover: refund agreed" });
        await bobAssigned.NextAsync(c => c.Id == id);
        await bob.SendMessageAsync(id, "A refund is on its way");
        await customerMessages.NextAsync(m => m.Text == "A refund is on its way");
        Assert.DoesNotContain(customerMessages.Seen, m => m.Kind == MessageKind.Note);
        string[] notes = ["VIP, offer a refund", "handover: refund agreed"];

        var customerResume = await customer.ResumeAsync(id, 0);
        Assert.DoesNotContain(customerResume.Messages, m => m.Kind == MessageKind.Note || notes.Contains(m.Text));
        Assert.Contains(customerResume.Messages, m => m.Text == "A refund is on its way");

        using var customerHttp = Host.Http(customer.Token);
        var customerJson = await customerHttp.GetStringAsync($"/api/conversations/{id}/transcript");
        var customerText = await customerHttp.GetStringAsync($"/api/conversations/{id}/transcript.txt");
        foreach (var note in notes)
        {
            Assert.DoesNotContain(note, customerJson);
            Assert.DoesNotContain(note, customerText);
        }
        Assert.DoesNotContain("\"note\"", customerJson);
        Assert.DoesNotContain("internal note", customerText);
        Assert.Contains("A refund is on its way", customerText);

        var agentResume = await bob.ResumeAsync(id, 0);
        Assert.Equal(notes, agentResume.Messages.Where(m => m.Kind == MessageKind.Note).Select(m => m.Text));
        using var agentHttp = Host.Http(bob.Token);
        var agentJson = await agentHttp.GetFromJsonAsync<ResumeResult>($"/api/conversations/{id}/transcript", Json.Options);
        Assert.Equal(notes, agentJson!.Messages.Where(m => m.Kind == MessageKind.Note).Select(m => m.Text));
        var agentText = await agentHttp.GetStringAsync($"/api/conversations/{id}/transcript.txt");
        Assert.Contains("Ann (internal note): VIP, offer a refund", agentText);
        Assert.Contains("Ann (internal note): handover: refund agreed", agentText);
    }

    // HTTP transcripts

    [Fact]
    public async Task Customer_cannot_read_another_customers_transcript_over_http()
    {
        var (owner, _, id, intruder) = await TwoCustomersAsync();
        using var http = Host.Http(intruder.Token);
        var madeUp = "c_" + Guid.NewGuid().ToString("N");

        foreach (var format in new[] { "transcript", "transcript.txt" })
        {
            var theirs = await http.GetAsync($"/api/conversations/{id}/{format}");
            var unknown = await http.GetAsync($"/api/conversations/{madeUp}/{format}");
            Assert.Equal(ErrorCodes.NotFound, await ProblemJson.CodeAsync(theirs, HttpStatusCode.NotFound));
            Assert.Equal(ErrorCodes.NotFound, await ProblemJson.CodeAsync(unknown, HttpStatusCode.NotFound));
            Assert.DoesNotContain("My order has not arrived", await theirs.Content.ReadAsStringAsync());
        }

        using var ownerHttp = Host.Http(owner.Token);
        Assert.Equal(HttpStatusCode.OK, (await ownerHttp.GetAsync($"/api/conversations/{id}/transcript")).StatusCode);
        using var anonymous = Host.Http();
        Assert.Equal(ErrorCodes.Unauthorized, await ProblemJson.CodeAsync(await anonymous.GetAsync($"/api/conversations/{id}/transcript"), HttpStatusCode.Unauthorized));
        Assert.Equal(ErrorCodes.Unauthorized, await ProblemJson.CodeAsync(await anonymous.GetAsync($"/api/conversations/{id}/transcript.txt"), HttpStatusCode.Unauthorized));
    }

    // Tokens

    [Theory]
    [InlineData("none")]
    [InlineData("garbage")]
    [InlineData("tampered")]
    [InlineData("signed by another key")]
    [InlineData("expired")]
    public async Task Hub_refuses_a_connection_without_a_valid_token(string kind)
    {
        var customer = await CustomerAsync();
        var valid = customer.Token!;
        var tokens = Host.Services.GetRequiredService<AccessTokens>();
        var token = kind switch
        {
            "none" => null,
            "garbage" => "not-a-token",
            "tampered" => Tamper(valid),
            "signed by another key" => new AccessTokens(new byte[32], TimeProvider.System).Issue(customer.VisitorId!, Roles.Admin, "Mallory", TimeSpan.FromHours(1)),
            "expired" => tokens.Issue(customer.VisitorId!, Roles.Customer, null, TimeSpan.FromSeconds(-1)),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        using (var http = Host.Http(token))
        {
            var negotiate = await http.PostAsync("/hub/negotiate?negotiateVersion=1", new ByteArrayContent([]));
            Assert.Equal(HttpStatusCode.Unauthorized, negotiate.StatusCode);
        }
        if (token is not null)
        {
            using var http = Host.Http();
            var query = await http.PostAsync($"/hub/negotiate?negotiateVersion=1&access_token={Uri.EscapeDataString(token)}", new ByteArrayContent([]));
            Assert.Equal(HttpStatusCode.Unauthorized, query.StatusCode);
        }

        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        var direct = new UriBuilder(Host.BaseUri) { Scheme = "ws", Path = Hub.Path, Query = token is null ? "" : "access_token=" + Uri.EscapeDataString(token) }.Uri;
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(direct, CancellationToken.None));
        Assert.Equal(HttpStatusCode.Unauthorized, socket.HttpStatusCode);

        if (token is not null)
        {
            var client = Track(new CustomerClient(Host.BaseUri, FastReconnect));
            var refused = await Assert.ThrowsAsync<LiveHelpApiException>(() => client.StartWithTokenAsync(token));
            Assert.Equal(401, refused.Status);
            Assert.Equal(HubConnectionState.Disconnected, client.State);
        }
    }

    [Theory]
    [InlineData("GET", "/api/agents")]
    [InlineData("POST", "/api/agents")]
    [InlineData("PUT", "/api/agents/{ann}")]
    [InlineData("GET", "/api/settings/identity-secret")]
    [InlineData("GET", "/api/offline-messages")]
    [InlineData("POST", "/api/topics")]
    public async Task Staff_endpoints_refuse_customers_and_anonymous_callers(string method, string path)
    {
        var annId = await Host.CreateAgentAsync("ann", ["general"]);
        var customer = await CustomerAsync();
        var url = path.Replace("{ann}", annId, StringComparison.Ordinal);

        using (var http = Host.Http(customer.Token))
        {
            Assert.Equal(ErrorCodes.Forbidden, await ProblemJson.CodeAsync(await http.SendAsync(Request(method, url)), HttpStatusCode.Forbidden));
        }
        using (var http = Host.Http())
        {
            Assert.Equal(ErrorCodes.Unauthorized, await ProblemJson.CodeAsync(await http.SendAsync(Request(method, url)), HttpStatusCode.Unauthorized));
        }

        using var admin = Host.Http(await Host.SignInAsync("admin", LiveHelpHost.AdminPassword));
        var agents = await admin.GetStringAsync("/api/agents");
        Assert.DoesNotContain("mallory", agents);
        Assert.DoesNotContain("hacked", await admin.GetStringAsync("/api/topics"));
        await Host.SignInAsync("ann", LiveHelpHost.Password("ann"));

        static HttpRequestMessage Request(string method, string url) => new(new HttpMethod(method), url)
        {
            Content = method == "GET" ? null : JsonContent.Create(new
            {
                id = "hacked",
                name = "Hacked",
                username = "mallory",
                displayName = "Mallory",
                password = "mallory-password",
                role = "admin",
                disabled = true,
            }),
        };
    }

    // Disabled accounts

    [Fact]
    public async Task Disabled_agent_cannot_sign_in()
    {
        var annId = await Host.CreateAgentAsync("ann", ["general"]);
        await Host.DisableAgentAsync(annId);

        using var http = Host.Http();
        var response = await http.PostAsJsonAsync("/api/auth/signin", new { username = "ann", password = LiveHelpHost.Password("ann") });
        Assert.Equal(ErrorCodes.Unauthorized, await ProblemJson.CodeAsync(response, HttpStatusCode.Unauthorized));
        var refused = await Assert.ThrowsAsync<LiveHelpApiException>(() => AgentClient.SignInAsync(Host.BaseUri, "ann", LiveHelpHost.Password("ann")));
        Assert.Equal(ErrorCodes.Unauthorized, refused.Code);
    }

    [Fact]
    public async Task Disabled_agents_live_connection_is_refused_when_it_reconnects()
    {
        var ann = await AgentAsync("ann");
        var closed = new Inbox<Exception?>(h => ann.Closed += h);
        // As an admin on another node would: only the store changes, and this node's connection stays open until
        // the restart or the node's next re-read of its staff accounts, whichever comes first.
        await DisabledAgentTests.DisableInStoreAsync(Host, ann.AgentId!);

        await Host.RestartAsync();

        // Either way the connection ends for good: the re-read closes it, or the restart drops it and the reconnect
        // is refused.
        await closed.NextAsync();
        Assert.NotEqual(HubConnectionState.Connected, ann.State);

        using var admin = Host.Http(await Host.SignInAsync("admin", LiveHelpHost.AdminPassword));
        var agents = await admin.GetFromJsonAsync<List<JsonElement>>("/api/agents", Json.Options);
        var seat = agents!.Single(a => a.GetProperty("username").GetString() == "ann");
        Assert.False(seat.GetProperty("connected").GetBoolean());
        var customer = await CustomerAsync();
        Assert.Equal(RequestHelpStatus.NoAgentsOnline, (await customer.RequestHelpAsync(Help())).Status);
    }

    [Fact]
    public async Task Disabled_agent_gets_no_new_customers_on_a_connection_still_open()
    {
        var ann = await AgentAsync("ann");
        var offers = new Inbox<OfferNotice>(h => ann.OfferReceived += h);
        await Host.DisableAgentAsync(ann.AgentId!);

        try
        {
            await ann.SetStatusAsync(AgentStatus.Online);
        }
        catch (LiveHelpHubException)
        {
        }
        catch (LiveHelpConnectionException)
        {
        }
        catch (InvalidOperationException)
        {
            // The server closed the connection for good before the call was made.
        }
        var customer = await CustomerAsync();
        var result = await customer.RequestHelpAsync(Help());

        Assert.Equal(RequestHelpStatus.NoAgentsOnline, result.Status);
        Assert.Empty(offers.Seen);
    }

    [Fact]
    public async Task Disabled_staff_token_no_longer_opens_the_http_api()
    {
        var ann = await AgentAsync("ann");
        var (_, _, id) = await ConversationAsync(ann);
        await Host.CreateAgentAsync("sue", ["supervision"], role: Roles.Supervisor);
        var rootId = await Host.CreateAgentAsync("root", ["general"], role: Roles.Admin);
        using var sue = Host.Http(await Host.SignInAsync("sue", LiveHelpHost.Password("sue")));
        using var root = Host.Http(await Host.SignInAsync("root", LiveHelpHost.Password("root")));
        Assert.Equal(HttpStatusCode.OK, (await sue.GetAsync($"/api/conversations/{id}/transcript")).StatusCode);
        await Host.DisableAgentAsync(rootId);
        using (var admin = Host.Http(await Host.SignInAsync("admin", LiveHelpHost.AdminPassword)))
        {
            var sueId = (await admin.GetFromJsonAsync<List<JsonElement>>("/api/agents"))!.Single(a => a.GetProperty("username").GetString() == "sue").GetProperty("id").GetString()!;
            await Host.DisableAgentAsync(sueId);
        }

        var transcript = await sue.GetAsync($"/api/conversations/{id}/transcript");
        var reenable = await root.PutAsJsonAsync($"/api/agents/{rootId}", new { disabled = false });
        var create = await root.PostAsJsonAsync("/api/agents", new { username = "backdoor", displayName = "Backdoor", password = "backdoor-password", role = "admin" });

        Assert.Equal(ErrorCodes.Unauthorized, await ProblemJson.CodeAsync(transcript, HttpStatusCode.Unauthorized));
        Assert.Equal(ErrorCodes.Unauthorized, await ProblemJson.CodeAsync(reenable, HttpStatusCode.Unauthorized));
        Assert.Equal(ErrorCodes.Unauthorized, await ProblemJson.CodeAsync(create, HttpStatusCode.Unauthorized));
        using var check = Host.Http(await Host.SignInAsync("admin", LiveHelpHost.AdminPassword));
        var agents = (await check.GetFromJsonAsync<List<JsonElement>>("/api/agents"))!;
        Assert.True(agents.Single(a => a.GetProperty("username").GetString() == "root").GetProperty("disabled").GetBoolean());
        Assert.DoesNotContain(agents, a => a.GetProperty("username").GetString() == "backdoor");
    }

    private async Task<(CustomerClient Owner, AgentClient Ann, string Id, CustomerClient Intruder)> TwoCustomersAsync()
    {
        var ann = await AgentAsync("ann");
        var (owner, _, id) = await ConversationAsync(ann);
        await owner.SendMessageAsync(id, "My order has not arrived");
        await ann.SendMessageAsync(id, "Let me check");
        var intruder = await CustomerAsync();
        return (owner, ann, id, intruder);
    }

    private async Task<(AgentClient Ann, AgentClient Bob, CustomerClient Customer, string Id)> TwoAgentsAsync()
    {
        var ann = await AgentAsync("ann");
        var (customer, _, id) = await ConversationAsync(ann);
        await customer.SendMessageAsync(id, "My order has not arrived");
        await ann.AddNoteAsync(id, "order 42, courier lost it");
        var bob = await AgentAsync("bob", ["billing"]);
        return (ann, bob, customer, id);
    }

    /// <summary>What the participant sees of the conversation, to compare before and after a refused call.</summary>
    private static async Task<string> SnapshotAsync(ConversationClient client, string id) =>
        JsonSerializer.Serialize(await client.Connection.InvokeAsync<ResumeResult>(Hub.Methods.Resume, id, 0L), Json.Options);

    /// <summary>The call is refused with exactly the answer a made-up id gets, so ids cannot be probed.</summary>
    private static async Task AssertLooksUnknownAsync(Func<string, Task> call, string id)
    {
        var refused = await RefusedAsync(() => call(id));
        var unknown = await RefusedAsync(() => call("c_" + Guid.NewGuid().ToString("N")));
        Assert.Equal(ErrorCodes.NotFound, refused.Code);
        Assert.Equal(unknown.Code, refused.Code);
        Assert.Equal(unknown.Message, refused.Message);
    }

    private static string Tamper(string token)
    {
        var parts = token.Split('.');
        var payload = Encoding.UTF8.GetString(Convert.FromBase64String(Pad(parts[0].Replace('-', '+').Replace('_', '/'))));
        var forged = payload.Replace("\"customer\"", "\"admin\"", StringComparison.Ordinal);
        Assert.NotEqual(payload, forged);
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(forged)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return encoded + "." + parts[1];

        static string Pad(string s) => s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '=');
    }
}

/// <summary>Reads an HTTP refusal: the status, the problem+json content type and its stable code.</summary>
internal static class ProblemJson
{
    public static async Task<string> CodeAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(body);
        Assert.True(document.RootElement.TryGetProperty("code", out var code), $"no code in {body}");
        return code.GetString()!;
    }
}
