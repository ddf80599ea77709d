using System.Text.Json;
using LiveHelp.Client.Tests.Hosting;

namespace LiveHelp.Client.Tests;

/// <summary>Against a peer that frames records by hand: several per frame, one byte per frame, split records.</summary>
public sealed class FramingTests : IAsyncLifetime
{
    private HubHost _host = null!;

    public async Task InitializeAsync() => _host = await HubHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private HubConnection Raw(string script, HubConnectionOptions? options = null)
    {
        options ??= new HubConnectionOptions();
        options.SkipNegotiation = true;
        return new HubConnection(_host.Url("raw/" + script), options);
    }

    [Fact]
    public async Task Several_records_in_one_frame_and_a_record_over_many_frames()
    {
        await using var connection = Raw("batched");
        var (ticks, add, firstThree) = Await.Collect<int>(3);
        var fourth = Await.Signal<int>();
        connection.On<int>("tick", tick =>
        {
            add(tick);
            if (tick == 4)
            {
                fourth.TrySetResult(tick);
            }
        });

        await connection.StartAsync();
        await firstThree.Within();
        var answer = await connection.InvokeAsync<string>("Echo", "caf€").Within();

        Assert.Equal("caf€ ✓ é", answer);
        Assert.Equal(4, await fourth.Task.Within());
        Assert.Equal([1, 2, 3, 4], ticks);
    }

    [Fact]
    public async Task A_refused_handshake_fails_start()
    {
        await using var connection = Raw("handshake-error");

        var error = await Assert.ThrowsAsync<LiveHelpConnectionException>(() => connection.StartAsync());

        Assert.Equal("nope", error.ServerError);
        Assert.False(error.AllowReconnect);
        Assert.Equal(HubConnectionState.Disconnected, connection.State);
    }

    [Fact]
    public async Task A_close_message_ends_the_connection_without_reconnecting()
    {
        await using var connection = Raw("close-final");
        var reconnecting = 0;
        var closed = Await.Signal<Exception?>();
        connection.Reconnecting += _ =>
        {
            Interlocked.Increment(ref reconnecting);
            return Task.CompletedTask;
        };
        connection.Closed += error =>
        {
            closed.TrySetResult(error);
            return Task.CompletedTask;
        };

        await connection.StartAsync();
        var error = Assert.IsType<LiveHelpConnectionException>(await closed.Task.Within());

        Assert.Equal("going away", error.ServerError);
        Assert.False(error.AllowReconnect);
        Assert.Equal(0, reconnecting);
        Assert.Equal(HubConnectionState.Disconnected, connection.State);
    }

    [Fact]
    public async Task A_close_message_allowing_reconnect_reconnects()
    {
        await using var connection = Raw("close-reconnect", new HubConnectionOptions { ReconnectDelays = [TimeSpan.FromMilliseconds(200)] });
        var reconnecting = Await.Signal<Exception?>();
        var reconnected = Await.Signal<bool>();
        connection.Reconnecting += error =>
        {
            reconnecting.TrySetResult(error);
            return Task.CompletedTask;
        };
        connection.Reconnected += _ =>
        {
            reconnected.TrySetResult(true);
            return Task.CompletedTask;
        };

        await connection.StartAsync();
        var error = Assert.IsType<LiveHelpConnectionException>(await reconnecting.Task.Within());
        await reconnected.Task.Within();

        Assert.Equal("restarting", error.ServerError);
        Assert.True(error.AllowReconnect);
    }

    [Fact]
    public async Task A_server_asking_for_a_client_result_gets_an_error_completion()
    {
        await using var connection = Raw("client-result");
        var reply = Await.Signal<string>();
        connection.On<string>("reply", r => reply.TrySetResult(r));

        await connection.StartAsync();
        using var completion = JsonDocument.Parse(await reply.Task.Within());

        Assert.Equal(3, completion.RootElement.GetProperty("type").GetInt32());
        Assert.Equal("s1", completion.RootElement.GetProperty("invocationId").GetString());
        Assert.False(string.IsNullOrEmpty(completion.RootElement.GetProperty("error").GetString()));
    }
}
