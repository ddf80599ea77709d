using System.Text.Json;
using LiveHelp.Client.Tests.Hosting;
using LiveHelp.Core;
using LiveHelp.Core.Contracts;
using LiveHelp.Core.Conversations;

namespace LiveHelp.Client.Tests;

public sealed class HubConnectionTests : IAsyncLifetime
{
    private HubHost _host = null!;

    public async Task InitializeAsync() => _host = await HubHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private HubConnection Connect(HubConnectionOptions? options = null) => new(_host.Url("hub"), options);

    [Fact]
    public async Task Handshake_and_invoke_round_trip()
    {
        await using var connection = Connect();
        await connection.StartAsync();

        Assert.Equal(HubConnectionState.Connected, connection.State);
        Assert.NotNull(connection.ConnectionId);
        Assert.Contains(connection.ConnectionId, _host.Log.Connected);
        Assert.Equal("hello", await connection.InvokeAsync<string>("Echo", "hello"));
        Assert.Equal(6, await connection.InvokeAsync<int>("Sum", 1, 2, 3));
        Assert.Equal(1, _host.Log.Negotiations);
    }

    [Fact]
    public async Task Typed_results_and_arguments_round_trip_over_message_pack_by_default()
    {
        await using var connection = Connect();
        await connection.StartAsync();

        var status = new StatusChanged(AgentStatus.Online, "back from lunch");
        var view = new ConversationView
        {
            Id = "c1",
            Topic = "billing",
            Mode = HelpMode.Mayday,
            Status = ConversationStatus.Active,
            PreQualification = new PreQualification { Details = "Charged twice", DeviceModel = "Fire HD 10" },
            CreatedAt = new DateTimeOffset(2026, 12, 7, 18, 0, 0, TimeSpan.FromHours(1)),
            ClosedAt = null,
            Rating = 5,
        };

        Assert.Equal(status, await connection.InvokeAsync<StatusChanged>("EchoStatus", status));
        Assert.Equal(view, await connection.InvokeAsync<ConversationView>("EchoView", view));
    }

    [Fact]
    public async Task Typed_results_and_arguments_carry_enums_as_camel_case_strings_over_json()
    {
        await using var connection = Connect(new HubConnectionOptions { Format = HubWireFormat.Json });
        await connection.StartAsync();

        var sent = new StatusChanged(AgentStatus.Online, "back from lunch");
        var echoed = await connection.InvokeAsync<StatusChanged>("EchoStatus", sent);
        var onTheWire = await connection.InvokeAsync<string>("Raw", sent);
        var resultOnTheWire = await connection.InvokeAsync<JsonElement>("EchoStatus", new StatusChanged(AgentStatus.Away, "x"));

        Assert.Equal(sent, echoed);
        Assert.Equal("{\"status\":\"online\",\"reason\":\"back from lunch\"}", onTheWire);
        Assert.Equal("away", resultOnTheWire.GetProperty("status").GetString());
        Assert.Equal("\"mayday\"", await connection.InvokeAsync<string>("Raw", HelpMode.Mayday));
    }

    [Fact]
    public async Task A_hub_exception_becomes_a_code_and_a_message()
    {
        await using var connection = Connect();
        await connection.StartAsync();

        var coded = await Assert.ThrowsAsync<LiveHelpHubException>(() => connection.InvokeAsync("Bad"));
        var uncoded = await Assert.ThrowsAsync<LiveHelpHubException>(() => connection.InvokeAsync("Plain"));
        var crash = await Assert.ThrowsAsync<LiveHelpHubException>(() => connection.InvokeAsync("Crash"));
        var unknown = await Assert.ThrowsAsync<LiveHelpHubException>(() => connection.InvokeAsync<int>("NoSuchMethod"));

        Assert.Equal("bad_thing", coded.Code);
        Assert.Equal("explained", coded.Message);
        Assert.Contains("HubException: bad_thing: explained", coded.ServerError);
        Assert.Equal(LiveHelpHubException.UnknownCode, uncoded.Code);
        Assert.Equal("nothing to parse here", uncoded.Message);
        Assert.Equal(LiveHelpHubException.UnknownCode, crash.Code);
        Assert.DoesNotContain("secret detail", crash.Message);
        Assert.Equal(LiveHelpHubException.UnknownCode, unknown.Code);
        Assert.Equal("still fine", await connection.InvokeAsync<string>("Echo", "still fine"));
    }

    [Fact]
    public async Task Server_events_arrive_in_order_even_with_slow_async_handlers()
    {
        await using var connection = Connect();
        var (ticks, add, done) = Await.Collect<int>(200);
        connection.On<int>("tick", async tick =>
        {
            if (tick % 10 == 0)
            {
                await Task.Delay(5);
            }
            add(tick);
        });
        await connection.StartAsync();

        await connection.InvokeAsync("Burst", 200);
        await done.Within();

        Assert.Equal(Enumerable.Range(0, 200), ticks);
    }

    [Fact]
    public async Task A_blocked_handler_does_not_block_calls()
    {
        await using var connection = Connect();
        var gate = Await.Signal<bool>();
        var entered = Await.Signal<bool>();
        connection.On<int>("tick", async _ =>
        {
            entered.TrySetResult(true);
            await gate.Task;
        });
        await connection.StartAsync();

        await connection.InvokeAsync("Burst", 3);
        await entered.Task.Within();
        var echo = await connection.InvokeAsync<string>("Echo", "through").Within();
        gate.SetResult(true);

        Assert.Equal("through", echo);
    }

    [Fact]
    public async Task Callbacks_reach_the_caller_and_the_group()
    {
        await using var first = Connect();
        await using var second = Connect();
        var status = Await.Signal<StatusChanged>();
        var firstHeard = Await.Signal<string>();
        var secondHeard = Await.Signal<string>();
        first.On<StatusChanged>("status", s => status.TrySetResult(s));
        first.On<string>("shout", s => firstHeard.TrySetResult(s));
        second.On<string>("shout", s => secondHeard.TrySetResult(s));
        await first.StartAsync();
        await second.StartAsync();

        await second.InvokeAsync("JoinGroup", "room");
        await first.InvokeAsync("Shout", "room", "hi all");
        await first.InvokeAsync("CallMeBack", "lunch");

        Assert.Equal("hi all", await firstHeard.Task.Within());
        Assert.Equal("hi all", await secondHeard.Task.Within());
        Assert.Equal(new StatusChanged(AgentStatus.Away, "lunch"), await status.Task.Within());
    }

    [Fact]
    public async Task Disposing_a_handler_stops_it_and_a_throwing_handler_does_not_stop_others()
    {
        var failures = new List<string>();
        await using var connection = Connect(new HubConnectionOptions { HandlerFailed = (name, _) => { lock (failures) { failures.Add(name); } } });
        var removed = new List<int>();
        var registration = connection.On<int>("tick", removed.Add);
        connection.On<int>("tick", _ => throw new InvalidOperationException("handler bug"));
        var kept = new List<int>();
        var first = Await.Signal<bool>();
        var second = Await.Signal<bool>();
        connection.On<int>("tick", tick =>
        {
            kept.Add(tick);
            (kept.Count == 1 ? first : second).TrySetResult(true);
        });
        await connection.StartAsync();

        await connection.InvokeAsync("Burst", 1);
        await first.Task.Within();
        registration.Dispose();
        await connection.InvokeAsync("Burst", 1);
        await second.Task.Within();

        Assert.Equal([0], removed);
        Assert.Equal([0, 0], kept);
        Assert.Equal(["tick", "tick"], failures);
    }

    [Fact]
    public async Task A_large_result_spans_many_reads_and_a_large_argument_is_sent_whole()
    {
        await using var connection = Connect();
        await connection.StartAsync();

        var big = await connection.InvokeAsync<string>("Big", 100_000);
        var argument = new string('z', 3_000_000);

        Assert.Equal(100_000 * "aé€😀".Length, big.Length);
        Assert.StartsWith("aé€😀aé€😀", big);
        Assert.EndsWith("aé€😀", big);
        Assert.Equal(argument.Length, await connection.InvokeAsync<int>("Length", argument));
    }

    [Fact]
    public async Task Send_does_not_wait_for_the_method()
    {
        await using var connection = Connect();
        var tick = Await.Signal<int>();
        connection.On<int>("tick", t => tick.TrySetResult(t));
        await connection.StartAsync();

        await connection.SendAsync("Burst", 1);

        Assert.Equal(0, await tick.Task.Within());
    }

    [Fact]
    public async Task A_cancelled_call_stops_waiting_and_the_connection_goes_on()
    {
        await using var connection = Connect();
        await connection.StartAsync();
        using var cancel = new CancellationTokenSource();

        var slow = connection.InvokeAsync<int>("Slow", 10_000, cancel.Token);
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => slow.Within());
        Assert.Equal("ok", await connection.InvokeAsync<string>("Echo", "ok"));
    }

    [Fact]
    public async Task Calls_before_start_are_refused()
    {
        await using var connection = Connect();

        await Assert.ThrowsAsync<InvalidOperationException>(() => connection.InvokeAsync<string>("Echo", "x"));
        Assert.Equal(HubConnectionState.Disconnected, connection.State);
    }

    [Fact]
    public async Task Skip_negotiation_connects_straight_to_the_websocket()
    {
        await using var connection = Connect(new HubConnectionOptions { SkipNegotiation = true });
        await connection.StartAsync();

        Assert.Equal("direct", await connection.InvokeAsync<string>("Echo", "direct"));
        Assert.Equal(0, _host.Log.Negotiations);
        Assert.Null(connection.ConnectionId);
    }

    [Fact]
    public async Task Negotiate_and_websocket_carry_the_bearer_token()
    {
        var asked = 0;
        await using var connection = new HubConnection(_host.Url("secure/hub"), new HubConnectionOptions
        {
            AccessTokenProvider = () =>
            {
                Interlocked.Increment(ref asked);
                return Task.FromResult<string?>(HubHost.SecretToken);
            },
        });
        await connection.StartAsync();

        // In a header, not in the URL, where proxies and access logs would keep it.
        Assert.Equal("", await connection.InvokeAsync<string>("AccessToken"));
        Assert.Equal("Bearer " + HubHost.SecretToken, await connection.InvokeAsync<string>("AuthorizationHeader"));
        Assert.Equal(["Bearer " + HubHost.SecretToken], _host.Log.NegotiateAuthorizations);
        Assert.Equal(1, asked);
    }

    [Fact]
    public async Task A_refused_token_fails_start_with_the_status()
    {
        await using var connection = new HubConnection(_host.Url("secure/hub"), new HubConnectionOptions
        {
            AccessTokenProvider = () => Task.FromResult<string?>("wrong"),
        });

        var error = await Assert.ThrowsAsync<LiveHelpApiException>(() => connection.StartAsync());

        Assert.Equal(401, error.Status);
        Assert.Equal(ErrorCodes.Unauthorized, error.Code);
        Assert.Equal(HubConnectionState.Disconnected, connection.State);
    }

    [Fact]
    public async Task Skip_negotiation_with_a_token_sends_it_on_the_websocket()
    {
        await using var connection = new HubConnection(_host.Url("secure/hub"), new HubConnectionOptions
        {
            SkipNegotiation = true,
            AccessTokenProvider = () => Task.FromResult<string?>(HubHost.SecretToken),
        });
        await connection.StartAsync();

        Assert.Equal("Bearer " + HubHost.SecretToken, await connection.InvokeAsync<string>("AuthorizationHeader"));
        Assert.Equal(0, _host.Log.Negotiations);
    }

    [Fact]
    public async Task Start_twice_is_refused_and_stop_then_start_works()
    {
        await using var connection = Connect();
        await connection.StartAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(() => connection.StartAsync());
        await connection.StopAsync();
        await connection.StartAsync();

        Assert.Equal("again", await connection.InvokeAsync<string>("Echo", "again"));
    }
}
