using LiveHelp.Client.Tests.Hosting;
using LiveHelp.Testing;

namespace LiveHelp.Client.Tests;

/// <summary>Keep-alive, dropped connections, reconnecting and stopping, against a real SignalR server.</summary>
public sealed class ConnectionLifetimeTests
{
    private static readonly TimeSpan Quick = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Asks the server to end this connection. The send itself may fail: the connection can be seen to drop before the
    /// send is seen to complete.
    /// </summary>
    private static async Task KillAsync(HubConnection connection, string method)
    {
        try
        {
            await connection.SendAsync(method);
        }
        catch (LiveHelpConnectionException)
        {
        }
    }

    private sealed class Lifecycle
    {
        public TaskCompletionSource<Exception?> Reconnecting { get; } = Await.Signal<Exception?>();
        public TaskCompletionSource<string?> Reconnected { get; } = Await.Signal<string?>();
        public TaskCompletionSource<Exception?> Closed { get; } = Await.Signal<Exception?>();
        public int ReconnectingCount;

        public Lifecycle(HubConnection connection)
        {
            connection.Reconnecting += error =>
            {
                Interlocked.Increment(ref ReconnectingCount);
                Reconnecting.TrySetResult(error);
                return Task.CompletedTask;
            };
            connection.Reconnected += id =>
            {
                Reconnected.TrySetResult(id);
                return Task.CompletedTask;
            };
            connection.Closed += error =>
            {
                Closed.TrySetResult(error);
                return Task.CompletedTask;
            };
        }
    }

    [Fact]
    public async Task Pings_keep_an_idle_connection_alive_past_the_server_timeout()
    {
        await using var host = await HubHost.StartAsync(hub =>
        {
            hub.ClientTimeoutInterval = TimeSpan.FromSeconds(1.5);
            hub.KeepAliveInterval = TimeSpan.FromMilliseconds(250);
        });
        await using var connection = new HubConnection(host.Url("hub"), new HubConnectionOptions
        {
            KeepAliveInterval = TimeSpan.FromMilliseconds(200),
            ServerTimeout = TimeSpan.FromSeconds(5),
        });
        var lifecycle = new Lifecycle(connection);
        await connection.StartAsync();
        var id = connection.ConnectionId;

        // Idle for three times the server's timeout: only pings cross the wire. Nothing can be awaited here: the
        // point is that nothing happens.
        await Task.Delay(TimeSpan.FromSeconds(4.5));

        Assert.Equal("awake", await connection.InvokeAsync<string>("Echo", "awake"));
        Assert.Equal(id, connection.ConnectionId);
        Assert.Equal(0, lifecycle.ReconnectingCount);
        Assert.False(host.Log.FirstDisconnect.IsCompleted);
    }

    [Fact]
    public async Task Pings_rarer_than_the_server_timeout_get_the_client_timed_out()
    {
        await using var host = await HubHost.StartAsync(hub =>
        {
            hub.ClientTimeoutInterval = TimeSpan.FromSeconds(1);
            hub.KeepAliveInterval = TimeSpan.FromMilliseconds(250);
        });
        await using var connection = new HubConnection(host.Url("hub"), new HubConnectionOptions
        {
            KeepAliveInterval = TimeSpan.FromSeconds(2),
            AutomaticReconnect = false,
        });
        var lifecycle = new Lifecycle(connection);
        await connection.StartAsync();

        // The server starts its client timeout at the first ping; the next one comes too late.
        var error = Assert.IsType<LiveHelpConnectionException>(await lifecycle.Closed.Task.Within());

        Assert.NotNull(error.ServerError);
        Assert.True(error.AllowReconnect);
        Assert.Equal(HubConnectionState.Disconnected, connection.State);
    }

    [Fact]
    public async Task Silence_from_the_server_counts_as_a_dropped_connection()
    {
        await using var host = await HubHost.StartAsync(hub =>
        {
            hub.KeepAliveInterval = TimeSpan.FromMinutes(1);
            hub.ClientTimeoutInterval = TimeSpan.FromMinutes(2);
        });
        await using var connection = new HubConnection(host.Url("hub"), new HubConnectionOptions
        {
            KeepAliveInterval = TimeSpan.FromMilliseconds(100),
            ServerTimeout = TimeSpan.FromMilliseconds(700),
            ReconnectDelays = [TimeSpan.FromMinutes(1)],
        });
        var lifecycle = new Lifecycle(connection);
        await connection.StartAsync();

        var error = Assert.IsType<LiveHelpConnectionException>(await lifecycle.Reconnecting.Task.Within());

        Assert.IsType<TimeoutException>(error.InnerException);
        Assert.Equal(HubConnectionState.Reconnecting, connection.State);
        await Assert.ThrowsAsync<LiveHelpConnectionException>(() => connection.InvokeAsync<string>("Echo", "x"));
    }

    [Fact]
    public async Task Reconnects_after_the_connection_drops()
    {
        await using var host = await HubHost.StartAsync();
        var tokens = 0;
        await using var connection = new HubConnection(host.Url("secure/hub"), new HubConnectionOptions
        {
            ReconnectDelays = [TimeSpan.Zero, Quick],
            AccessTokenProvider = () =>
            {
                Interlocked.Increment(ref tokens);
                return Task.FromResult<string?>(HubHost.SecretToken);
            },
        });
        var lifecycle = new Lifecycle(connection);
        var ticks = Await.Signal<int>();
        connection.On<int>("tick", t => ticks.TrySetResult(t));
        await connection.StartAsync();
        var firstId = connection.ConnectionId;

        await KillAsync(connection, "Drop");
        var error = await lifecycle.Reconnecting.Task.Within();
        var newId = await lifecycle.Reconnected.Task.Within();

        Assert.IsType<LiveHelpConnectionException>(error);
        Assert.Equal(HubConnectionState.Connected, connection.State);
        Assert.NotEqual(firstId, newId);
        Assert.Equal(newId, connection.ConnectionId);
        Assert.Equal("back", await connection.InvokeAsync<string>("Echo", "back"));
        await connection.InvokeAsync("Burst", 1);
        Assert.Equal(0, await ticks.Task.Within());
        Assert.Equal(2, tokens);
        Assert.Equal(2, host.Log.Negotiations);
        Assert.False(lifecycle.Closed.Task.IsCompleted);
    }

    [Fact]
    public async Task Pending_calls_fail_when_the_connection_drops()
    {
        await using var host = await HubHost.StartAsync();
        await using var connection = new HubConnection(host.Url("hub"), new HubConnectionOptions { ReconnectDelays = [TimeSpan.FromMinutes(1)] });
        var lifecycle = new Lifecycle(connection);
        await connection.StartAsync();

        var slow = connection.InvokeAsync<int>("Slow", 30_000);
        await KillAsync(connection, "Drop");

        var error = await Assert.ThrowsAsync<LiveHelpConnectionException>(() => slow.Within());
        Assert.True(error.AllowReconnect);
        await lifecycle.Reconnecting.Task.Within();
    }

    [Fact]
    public async Task Stop_closes_without_reconnecting()
    {
        await using var host = await HubHost.StartAsync();
        await using var connection = new HubConnection(host.Url("hub"), new HubConnectionOptions { ReconnectDelays = [TimeSpan.Zero] });
        var lifecycle = new Lifecycle(connection);
        await connection.StartAsync();
        var id = connection.ConnectionId;
        var slow = connection.InvokeAsync<int>("Slow", 30_000);

        await connection.StopAsync();

        Assert.Null(await lifecycle.Closed.Task.Within());
        Assert.Equal(id, await host.Log.FirstDisconnect.Within());
        await Assert.ThrowsAsync<LiveHelpConnectionException>(() => slow.Within());
        Assert.Equal(HubConnectionState.Disconnected, connection.State);
        Assert.Equal(0, lifecycle.ReconnectingCount);
        Assert.Equal(1, host.Log.Negotiations);
        await Assert.ThrowsAsync<InvalidOperationException>(() => connection.InvokeAsync<string>("Echo", "x"));
    }

    [Fact]
    public async Task Gives_up_after_the_configured_number_of_attempts()
    {
        await using var host = await HubHost.StartAsync();
        var tokens = 0;
        await using var connection = new HubConnection(host.Url("secure/hub"), new HubConnectionOptions
        {
            ReconnectDelays = [TimeSpan.Zero, Quick],
            MaxReconnectAttempts = 3,
            // Good the first time; afterwards the server answers every negotiate with 503.
            AccessTokenProvider = () => Task.FromResult<string?>(Interlocked.Increment(ref tokens) == 1 ? HubHost.SecretToken : HubHost.UnavailableToken),
        });
        var lifecycle = new Lifecycle(connection);
        await connection.StartAsync();

        await KillAsync(connection, "Drop");
        var error = await lifecycle.Closed.Task.Within();

        Assert.Equal(503, Assert.IsType<LiveHelpApiException>(error).Status);
        Assert.Equal(1 + 3, tokens);
        Assert.Equal(1, lifecycle.ReconnectingCount);
        Assert.Equal(HubConnectionState.Disconnected, connection.State);
    }

    [Fact]
    public async Task A_refused_token_ends_reconnecting_at_once()
    {
        await using var host = await HubHost.StartAsync();
        var tokens = 0;
        await using var connection = new HubConnection(host.Url("secure/hub"), new HubConnectionOptions
        {
            ReconnectDelays = [TimeSpan.Zero, Quick],
            MaxReconnectAttempts = 3,
            // Good the first time, refused afterwards: the reconnect attempt fails at negotiate with 401.
            AccessTokenProvider = () => Task.FromResult<string?>(Interlocked.Increment(ref tokens) == 1 ? HubHost.SecretToken : "revoked"),
        });
        var lifecycle = new Lifecycle(connection);
        await connection.StartAsync();

        await KillAsync(connection, "Drop");
        var error = await lifecycle.Closed.Task.Within();

        Assert.Equal(401, Assert.IsType<LiveHelpApiException>(error).Status);
        Assert.Equal(1 + 1, tokens);
        Assert.Equal(1, lifecycle.ReconnectingCount);
        Assert.False(lifecycle.Reconnected.Task.IsCompleted);
        Assert.Equal(HubConnectionState.Disconnected, connection.State);
    }

    [Fact]
    public async Task A_server_that_went_away_for_good_ends_in_closed()
    {
        var host = await HubHost.StartAsync();
        await using var connection = new HubConnection(host.Url("hub"), new HubConnectionOptions
        {
            ReconnectDelays = [TimeSpan.Zero, Quick],
            MaxReconnectAttempts = 3,
        });
        var lifecycle = new Lifecycle(connection);
        await connection.StartAsync();

        await host.DisposeAsync();
        await lifecycle.Reconnecting.Task.Within();

        Assert.NotNull(await lifecycle.Closed.Task.Within());
        Assert.Equal(HubConnectionState.Disconnected, connection.State);
    }

    [Fact]
    public async Task Stop_while_reconnecting_ends_the_attempts()
    {
        await using var host = await HubHost.StartAsync();
        await using var connection = new HubConnection(host.Url("hub"), new HubConnectionOptions { ReconnectDelays = [TimeSpan.FromMinutes(1)] });
        var lifecycle = new Lifecycle(connection);
        await connection.StartAsync();

        await KillAsync(connection, "Drop");
        await lifecycle.Reconnecting.Task.Within();
        await connection.StopAsync().Within();

        Assert.Null(await lifecycle.Closed.Task.Within());
        Assert.Equal(HubConnectionState.Disconnected, connection.State);
        Assert.Equal(1, host.Log.Negotiations);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_start_against_a_node_that_accepts_but_never_answers_gives_up_after_the_connect_timeout_and_tries_again(bool skipNegotiation)
    {
        await using var frozen = new FrozenNode();
        await using var connection = new HubConnection(frozen.Url("hub"), new HubConnectionOptions
        {
            SkipNegotiation = skipNegotiation,
            ConnectTimeout = TimeSpan.FromMilliseconds(300),
            ReconnectDelays = [Quick],
            MaxReconnectAttempts = 2,
        });

        var error = await Assert.ThrowsAsync<LiveHelpConnectionException>(() => connection.StartAsync().Within());

        Assert.IsType<TimeoutException>(error.InnerException);
        Assert.Equal(1 + 2, frozen.Accepted);
        Assert.Equal(HubConnectionState.Disconnected, connection.State);
    }

    [Fact]
    public async Task A_start_whose_first_attempt_reaches_a_frozen_node_connects_on_the_next()
    {
        await using var host = await HubHost.StartAsync();
        var attempts = 0;
        await using var balancer = new FrozenNode(host.BaseUri, holds: _ => ++attempts == 1);
        await using var connection = new HubConnection(balancer.Url("hub"), new HubConnectionOptions
        {
            SkipNegotiation = true,
            ConnectTimeout = TimeSpan.FromMilliseconds(500),
        });

        await connection.StartAsync().Within();

        Assert.Equal("through", await connection.InvokeAsync<string>("Echo", "through"));
        Assert.Equal(2, balancer.Accepted);
    }

    [Fact]
    public async Task A_reconnect_attempt_that_reaches_a_frozen_node_is_given_up_and_the_next_one_connects()
    {
        await using var host = await HubHost.StartAsync();
        var attempts = 0;
        await using var balancer = new FrozenNode(host.BaseUri, holds: _ => ++attempts == 2);
        await using var connection = new HubConnection(balancer.Url("hub"), new HubConnectionOptions
        {
            SkipNegotiation = true,
            ConnectTimeout = TimeSpan.FromMilliseconds(500),
            ReconnectDelays = [TimeSpan.Zero],
        });
        var lifecycle = new Lifecycle(connection);
        await connection.StartAsync();

        await KillAsync(connection, "Drop");
        await lifecycle.Reconnected.Task.Within();

        Assert.Equal("back", await connection.InvokeAsync<string>("Echo", "back"));
        Assert.Equal(3, balancer.Accepted);
        Assert.False(lifecycle.Closed.Task.IsCompleted);
    }

    [Fact]
    public async Task A_server_that_closes_the_connection_ends_it_and_says_so()
    {
        await using var host = await HubHost.StartAsync();
        await using var connection = new HubConnection(host.Url("hub"), new HubConnectionOptions { ReconnectDelays = [TimeSpan.Zero] });
        var lifecycle = new Lifecycle(connection);
        await connection.StartAsync();

        await KillAsync(connection, "Abort");

        var error = Assert.IsType<LiveHelpConnectionException>(await lifecycle.Closed.Task.Within());
        Assert.False(error.AllowReconnect);
        Assert.Equal(0, lifecycle.ReconnectingCount);
        Assert.Equal(HubConnectionState.Disconnected, connection.State);
    }

    [Fact]
    public async Task No_automatic_reconnect_means_closed_on_drop()
    {
        await using var host = await HubHost.StartAsync();
        await using var connection = new HubConnection(host.Url("hub"), new HubConnectionOptions { AutomaticReconnect = false });
        var lifecycle = new Lifecycle(connection);
        await connection.StartAsync();

        await KillAsync(connection, "Drop");

        Assert.IsType<LiveHelpConnectionException>(await lifecycle.Closed.Task.Within());
        Assert.Equal(0, lifecycle.ReconnectingCount);
    }
}
