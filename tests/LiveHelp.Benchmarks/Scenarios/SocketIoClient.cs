using System.Collections.Concurrent;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace LiveHelp.Benchmarks.Scenarios;

/// <summary>
/// Just enough of a Socket.IO client (protocol v5 over Engine.IO v4, WebSocket transport only, default namespace) to
/// drive the peer relay: it connects, answers the server's pings, joins with an acknowledgement and sends and receives
/// <c>msg</c> events whose one argument is a stamp written as decimal text. Sending and receiving a stamp allocate nothing:
/// one loop writes every frame from a queue of stamps into one buffer, one loop reads every frame into another.
/// </summary>
internal sealed class SocketIoClient : IAsyncDisposable
{
    // Engine.IO packet types are the first character of a frame, Socket.IO ones the second of a "message" (4) frame.
    private static readonly byte[] Pong = "3"u8.ToArray();
    private static readonly byte[] Connect = "40"u8.ToArray();

    private readonly ClientWebSocket _socket = new();
    private readonly Action<long> _received;
    private readonly Channel<Outgoing> _outgoing = Channel.CreateUnbounded<Outgoing>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<int, TaskCompletionSource> _acks = new();
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private readonly byte[] _sendBuffer = new byte[64];
    private byte[] _receiveBuffer = new byte[4096];
    private Task _receiving = Task.CompletedTask;
    private Task _sending = Task.CompletedTask;
    private int _lastAckId;
    private int _disposed;

    private SocketIoClient(Action<long> received) => _received = received;

    /// <summary>Connects to the Socket.IO server on 127.0.0.1:<paramref name="port"/> and to its default namespace.</summary>
    /// <param name="received">Called on the receive loop with the stamp of every <c>msg</c> event that arrives.</param>
    public static async Task<SocketIoClient> ConnectAsync(int port, Action<long> received, CancellationToken ct)
    {
        var client = new SocketIoClient(received);
        try
        {
            client._socket.Options.KeepAliveInterval = TimeSpan.Zero; // Engine.IO has its own heartbeat.
            await client._socket.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket"), ct);
            client._receiving = Task.Run(client.ReceiveLoopAsync, CancellationToken.None);
            client._sending = Task.Run(client.SendLoopAsync, CancellationToken.None);
            await client._connected.Task.WaitAsync(ct);
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    /// <summary>Queues <c>42["msg","&lt;stamp&gt;"]</c> and returns; frames go out one at a time, in order.</summary>
    public void Send(long stamp) => _outgoing.Writer.TryWrite(new Outgoing(stamp, null));

    /// <summary>Emits <paramref name="eventName"/> with one string argument and waits for the server to call the ack back.</summary>
    public async Task EmitWithAckAsync(string eventName, string argument, CancellationToken ct)
    {
        var id = Interlocked.Increment(ref _lastAckId);
        var ack = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _acks[id] = ack;
        try
        {
            var frame = "42" + id.ToString(CultureInfo.InvariantCulture) + JsonSerializer.Serialize(new[] { eventName, argument });
            if (!_outgoing.Writer.TryWrite(new Outgoing(0, Encoding.UTF8.GetBytes(frame))))
            {
                throw new InvalidOperationException("the Socket.IO connection is closed");
            }
            await ack.Task.WaitAsync(ct);
        }
        finally
        {
            _acks.TryRemove(id, out _);
        }
    }

    /// <summary>Sends what is queued, then closes the WebSocket and waits (briefly) for the server to close its side.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _outgoing.Writer.TryComplete();
        try
        {
            await _sending.WaitAsync(TimeSpan.FromSeconds(5));
            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
            }
            await _receiving.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or TimeoutException)
        {
        }
        _stop.Cancel();
        _socket.Dispose();
        _stop.Dispose();
    }

    private async Task SendLoopAsync()
    {
        var reader = _outgoing.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_stop.Token))
            {
                while (reader.TryRead(out var item))
                {
                    var frame = item.Frame is null ? FormatMessage(item.Stamp) : item.Frame;
                    await _socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, _stop.Token);
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            _outgoing.Writer.TryComplete();
        }
    }

    private ReadOnlyMemory<byte> FormatMessage(long stamp)
    {
        var prefix = "42[\"msg\",\""u8;
        var suffix = "\"]"u8;
        var buffer = _sendBuffer.AsSpan();
        prefix.CopyTo(buffer);
        stamp.TryFormat(buffer[prefix.Length..], out var digits, default, CultureInfo.InvariantCulture);
        var length = prefix.Length + digits;
        suffix.CopyTo(buffer[length..]);
        return _sendBuffer.AsMemory(0, length + suffix.Length);
    }

    private async Task ReceiveLoopAsync()
    {
        Exception? failure = null;
        try
        {
            while (true)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (length == _receiveBuffer.Length)
                    {
                        Array.Resize(ref _receiveBuffer, _receiveBuffer.Length * 2);
                    }
                    result = await _socket.ReceiveAsync(_receiveBuffer.AsMemory(length), _stop.Token);
                    length += result.Count;
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }
                if (result.MessageType == WebSocketMessageType.Text && length > 0 && !Handle(_receiveBuffer.AsSpan(0, length)))
                {
                    break;
                }
            }
        }
        catch (Exception e)
        {
            // The socket failed or was disposed, or a callback threw: the connection ends, not the process.
            failure = e;
        }
        var closed = new InvalidOperationException("the Socket.IO connection closed", failure);
        _connected.TrySetException(closed);
        foreach (var ack in _acks.Values)
        {
            ack.TrySetException(closed);
        }
        _outgoing.Writer.TryComplete();
    }

    /// <summary>Handles one Engine.IO packet; false when the server has closed the session.</summary>
    private bool Handle(ReadOnlySpan<byte> packet)
    {
        switch (packet[0])
        {
            case (byte)'4' when packet.Length >= 2:
                return HandleSocketIo(packet[1], packet[2..]);
            case (byte)'2': // ping
                _outgoing.Writer.TryWrite(new Outgoing(0, Pong));
                return true;
            case (byte)'0': // open: {"sid":...,"pingInterval":...}; the server pings, this client only answers
                _outgoing.Writer.TryWrite(new Outgoing(0, Connect));
                return true;
            case (byte)'1': // close
                return false;
            default:
                return true;
        }
    }

    private bool HandleSocketIo(byte type, ReadOnlySpan<byte> rest)
    {
        switch (type)
        {
            case (byte)'2': // EVENT
                var prefix = "[\"msg\",\""u8;
                var suffix = "\"]"u8;
                if (rest.StartsWith(prefix) && rest.EndsWith(suffix)
                    && long.TryParse(rest[prefix.Length..^suffix.Length], NumberStyles.None, CultureInfo.InvariantCulture, out var stamp))
                {
                    _received(stamp);
                }
                return true;
            case (byte)'3': // ACK: <id>[...]
                var end = rest.IndexOf((byte)'[');
                if (end > 0 && int.TryParse(rest[..end], NumberStyles.None, CultureInfo.InvariantCulture, out var id)
                    && _acks.TryGetValue(id, out var ack))
                {
                    ack.TrySetResult();
                }
                return true;
            case (byte)'0': // CONNECT: {"sid":...}
                _connected.TrySetResult();
                return true;
            case (byte)'4': // CONNECT_ERROR: {"message":...}
                _connected.TrySetException(new InvalidOperationException("Socket.IO refused the connection: " + Encoding.UTF8.GetString(rest)));
                return false;
            case (byte)'1': // DISCONNECT
                return false;
            default:
                return true;
        }
    }

    /// <summary>A frame to send: a ready one, or (when <see cref="Frame"/> is null) a msg event with <see cref="Stamp"/>.</summary>
    private readonly record struct Outgoing(long Stamp, byte[]? Frame);
}
