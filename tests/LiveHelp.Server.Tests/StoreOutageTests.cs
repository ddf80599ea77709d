using System.Net;
using System.Net.Http.Json;
using LiveHelp.Client;
using LiveHelp.Core;
using LiveHelp.Core.Contracts;
using LiveHelp.Core.Conversations;
using LiveHelp.Server.Help;
using LiveHelp.Server.Hubs;
using Microsoft.Extensions.Logging;

namespace LiveHelp.Server.Tests;

/// <summary>
/// The server on a real PostgreSQL that is stopped and started again, as an operator's restart or a failover would:
/// calls answer "unavailable" meanwhile, nothing is half-written, and the SDK's sends go through once it is back.
/// </summary>
public sealed class StoreOutageTests(StoppablePostgres postgres) : ServerTest, IClassFixture<StoppablePostgres>
{
    private readonly LogCapture _logs = new();
    private string _database = "";

    protected override ILoggerProvider Logs => _logs;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ConnectionStrings:Postgres"] = _database,
        // The test sends as fast as it can; the rate limit is not what it is about.
        ["LiveHelp:MessagesPerSecond"] = "1000",
        ["LiveHelp:MessageBurst"] = "1000",
    };

    public override async Task InitializeAsync()
    {
        _database = await postgres.Server.CreateDatabaseAsync();
        await base.InitializeAsync();
    }

    [Fact]
    public async Task While_the_store_is_down_calls_answer_unavailable_and_change_nothing()
    {
        var (customer, ann, id) = await ConversationAsync(await AgentAsync("ann"));
        await customer.SendMessageAsync(id, "Before the restart");
        var before = (await ann.ResumeAsync(id, 0)).Messages.Select(m => (m.Seq, m.Text)).ToList();

        using var admin = Host.Http(await Host.SignInAsync("admin", LiveHelpHost.AdminPassword));
        await postgres.Server.StopAsync();
        try
        {
            using var anonymous = Host.Http();
            var signIn = await anonymous.PostAsJsonAsync("/api/auth/signin", new { username = "ann", password = LiveHelpHost.Password("ann") });
            var staffRead = await admin.GetAsync("/api/agents");
            Assert.Equal(ErrorCodes.Unavailable, await ProblemJson.CodeAsync(signIn, HttpStatusCode.ServiceUnavailable));
            Assert.Equal(ErrorCodes.Unavailable, await ProblemJson.CodeAsync(staffRead, HttpStatusCode.ServiceUnavailable));

            var send = await RefusedAsync(() => customer.Connection.InvokeAsync<Message>(Hub.Methods.SendMessage, id, "m-down", "While it was down"));
            var note = await RefusedAsync(() => ann.Connection.InvokeAsync<Message>(Hub.Methods.AddNote, id, "n-down", "A note while it was down"));
            var resume = await RefusedAsync(() => ann.ResumeAsync(id, 0));
            using var http = Host.Http();
            var visitor = await http.PostAsJsonAsync("/api/visitors", new { });

            Assert.Equal(ErrorCodes.Unavailable, send.Code);
            Assert.Equal(ErrorCodes.Unavailable, note.Code);
            Assert.Equal(ErrorCodes.Unavailable, resume.Code);
            Assert.Equal(ErrorCodes.Unavailable, await ProblemJson.CodeAsync(visitor, HttpStatusCode.ServiceUnavailable));
        }
        finally
        {
            await postgres.Server.StartAgainAsync();
        }

        var after = await EventuallyAsync(() => ann.ResumeAsync(id, 0));
        Assert.Equal(before, after.Messages.Select(m => (m.Seq, m.Text)));
        Assert.Equal("While it was down", (await customer.SendMessageAsync(id, "While it was down", "m-down")).Text);
    }

    [Fact]
    public async Task Sends_racing_a_restart_are_stored_whole_or_not_at_all_and_a_retry_stores_each_once()
    {
        var (customer, ann, id) = await ConversationAsync(await AgentAsync("ann"));
        var outcomes = new List<(string ClientMessageId, string Text, string Outcome)>();
        using var stop = new CancellationTokenSource();
        var sending = Task.Run(async () =>
        {
            for (var i = 1; !stop.IsCancellationRequested; i++)
            {
                var (clientMessageId, text) = ($"race-{i}", $"racing message {i}");
                try
                {
                    await customer.Connection.InvokeAsync<Message>(Hub.Methods.SendMessage, id, clientMessageId, text);
                    outcomes.Add((clientMessageId, text, "stored"));
                }
                catch (LiveHelpHubException e)
                {
                    outcomes.Add((clientMessageId, text, e.Code));
                }
                await Task.Delay(10);
            }
        });

        await Task.Delay(300);
        await postgres.Server.StopAsync();
        await Task.Delay(500);
        await postgres.Server.StartAgainAsync();
        await Task.Delay(300);
        await stop.CancelAsync();
        await sending;

        Assert.Contains(outcomes, o => o.Outcome == "stored");
        Assert.Contains(outcomes, o => o.Outcome == ErrorCodes.Unavailable);
        Assert.All(outcomes, o => Assert.Contains(o.Outcome, new[] { "stored", ErrorCodes.Unavailable }));
        // What was answered "unavailable" is sent again with the same id, as the clients do.
        foreach (var (clientMessageId, text, _) in outcomes.Where(o => o.Outcome == ErrorCodes.Unavailable))
        {
            await customer.SendMessageAsync(id, text, clientMessageId);
        }

        var transcript = await EventuallyAsync(() => WholeTranscriptAsync(ann, id));
        Assert.Equal(Enumerable.Range(1, transcript.Count).Select(i => (long)i), transcript.Select(m => m.Seq));
        var racing = transcript.Where(m => m.Kind == MessageKind.Customer).Select(m => m.Text).ToList();
        // The question from the form opens it, then every racing send once.
        Assert.Equal(outcomes.Select(o => o.Text).Prepend(Help().Details).Order(), racing.Order());
    }

    [Fact]
    public async Task A_send_made_while_the_store_is_down_goes_through_once_it_is_back()
    {
        var ann = await AgentAsync("ann");
        var annMessages = new Inbox<Message>(h => ann.MessageReceived += h);
        var (customer, _, id) = await ConversationAsync(ann);

        await postgres.Server.StopAsync();
        Task<Message> send;
        try
        {
            send = customer.SendMessageAsync(id, "Sent while the database restarts");
            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.False(send.IsCompleted, send.IsFaulted ? send.Exception!.InnerException!.Message : "the send finished while the store was down");
        }
        finally
        {
            await postgres.Server.StartAgainAsync();
        }

        var stored = await send;
        Assert.Equal("Sent while the database restarts", stored.Text);
        Assert.Equal(stored.Seq, (await annMessages.NextAsync(m => m.Kind == MessageKind.Customer)).Seq);
        var transcript = (await ann.ResumeAsync(id, 0)).Messages;
        Assert.Single(transcript, m => m.Text == "Sent while the database restarts");
    }

    [Fact]
    public async Task A_customer_whose_connection_drops_while_the_store_is_down_is_connected_again_once_it_is_back()
    {
        await using var cable = Cable.Start(Host.Port);
        var ann = await AgentAsync("ann");
        var customer = Track(await CustomerClient.ConnectAsync(cable.Uri, null, FastReconnect));
        var (_, _, id) = await ConversationAsync(ann, customer);
        var closed = new Inbox<Exception?>(h => customer.Closed += h);
        var received = new Inbox<Message>(h => customer.MessageReceived += h);

        await postgres.Server.StopAsync();
        try
        {
            // The customer's connection drops (a proxy restarting, a network blip) and the client reconnects at once,
            // to a hub that cannot read the customer's conversations.
            cable.Cut();
            cable.Mend();
            await closed.NoneAsync(null, TimeSpan.FromSeconds(4));
        }
        finally
        {
            await postgres.Server.StartAgainAsync();
        }

        await EventuallyAsync(() => ann.SendMessageAsync(id, "Are you still there?"));
        Assert.Equal("Are you still there?", (await received.NextAsync(m => m.Kind == MessageKind.Agent, TimeSpan.FromSeconds(30))).Text);
        Assert.Empty(closed.Seen);
        Assert.Equal(HubConnectionState.Connected, customer.Connection.State);
        // The operator sees the outage as a warning, not an error per connection attempt.
        Assert.Contains(_logs.Entries, e => e.Level == LogLevel.Warning && e.Category == typeof(ErrorCodeFilter).FullName);
        Assert.DoesNotContain(_logs.Entries, e => e.Level >= LogLevel.Error && e.Category.StartsWith("Microsoft.AspNetCore.SignalR", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_timers_log_a_store_outage_once_as_a_warning_and_its_end_as_information()
    {
        // A connected agent, so the staff re-check reads the store; a waiting request, so the clock has work.
        await AgentAsync("ann");
        var customer = await CustomerAsync();
        await customer.RequestHelpAsync(Help());

        await postgres.Server.StopAsync();
        try
        {
            // Many ticks of both timers (every 0.5 s and 2 s).
            await Task.Delay(TimeSpan.FromSeconds(6));
        }
        finally
        {
            await postgres.Server.StartAgainAsync();
        }

        string[] timers = [typeof(RoutingClock).FullName!, typeof(StaffConnections).FullName!];
        for (var waited = 0; timers.Any(t => !_logs.Entries.Any(e => e.Category == t && e.Level == LogLevel.Information)); waited++)
        {
            Assert.True(waited < 100, "a timer never said the store was back: " + string.Join("; ", _logs.Entries.Where(e => timers.Contains(e.Category))));
            await Task.Delay(200);
        }
        foreach (var timer in timers)
        {
            var logged = _logs.Entries.Where(e => e.Category == timer && e.Level >= LogLevel.Information).ToList();
            Assert.Equal([LogLevel.Warning, LogLevel.Information], logged.Select(e => e.Level));
            Assert.Contains("store", logged[0].Message, StringComparison.Ordinal);
            Assert.All(logged, e => Assert.Null(e.Exception));
        }
    }

    /// <summary>Every message, page by page (Resume answers at most 1,000 at a time).</summary>
    private static async Task<List<Message>> WholeTranscriptAsync(AgentClient agent, string id)
    {
        var all = new List<Message>();
        for (IReadOnlyList<Message> page; (page = (await agent.ResumeAsync(id, all.Count == 0 ? 0 : all[^1].Seq)).Messages).Count > 0;)
        {
            all.AddRange(page);
        }
        return all;
    }
}
