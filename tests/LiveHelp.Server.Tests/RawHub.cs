using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace LiveHelp.Server.Tests;

/// <summary>
/// A bare WebSocket speaking SignalR's JSON protocol by hand, for frames no well-behaved client would send
/// (a lone UTF-16 surrogate, the wrong number of arguments).
/// </summary>
internal sealed class RawHub : IAsyncDisposable
{
    private const char RecordSeparator = '\u001e';
    private readonly ClientWebSocket _socket = new();
    private readonly Queue<string> _records = new();
    private readonly StringBuilder _partial = new();
    private readonly Decoder _utf8 = Encoding.UTF8.GetDecoder();
    private int _invocations;

    private RawHub()
    {
    }

    public static async Task<RawHub> ConnectAsync(Uri baseUri, string token)
    {
        var hub = new RawHub();
        var uri = new UriBuilder(baseUri) { Scheme = "ws", Path = "/hub", Query = "access_token=" + Uri.EscapeDataString(token) }.Uri;
        await hub._socket.ConnectAsync(uri, CancellationToken.None);
        await hub.SendRecordAsync("{\"protocol\":\"json\",\"version\":1}");
        using var handshake = JsonDocument.Parse(await hub.ReceiveRecordAsync());
        Assert.False(handshake.RootElement.TryGetProperty("error", out var error), $"handshake refused: {error}");
        return hub;
    }

    /// <summary>
    /// Sends an invocation (or, with <paramref name="asStream"/>, a stream invocation) whose "arguments" member is
    /// <paramref name="argumentsJson"/> verbatim and returns the error of its completion (null when the call succeeded).
    /// </summary>
    public async Task<string?> InvokeAsync(string target, string argumentsJson, bool asStream = false)
    {
        var id = (++_invocations).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await SendRecordAsync($"{{\"type\":{(asStream ? 4 : 1)},\"invocationId\":\"{id}\",\"target\":{JsonSerializer.Serialize(target)},\"arguments\":{argumentsJson}}}");
        while (true)
        {
            using var record = JsonDocument.Parse(await ReceiveRecordAsync());
            var root = record.RootElement;
            if (root.GetProperty("type").GetInt32() == 3 && root.GetProperty("invocationId").GetString() == id)
            {
                return root.TryGetProperty("error", out var error) ? error.GetString() : null;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        }
        _socket.Dispose();
    }

    private Task SendRecordAsync(string json) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(json + RecordSeparator), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

    private async Task<string> ReceiveRecordAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var buffer = new byte[16 * 1024];
        while (_records.Count == 0)
        {
            var received = await _socket.ReceiveAsync(buffer, timeout.Token);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                throw new InvalidOperationException($"the server closed the connection: {_socket.CloseStatus} {_socket.CloseStatusDescription}");
            }
            var chars = new char[_utf8.GetCharCount(buffer, 0, received.Count)];
            _utf8.GetChars(buffer, 0, received.Count, chars, 0);
            _partial.Append(chars);
            var text = _partial.ToString();
            var last = text.LastIndexOf(RecordSeparator);
            if (last < 0)
            {
                continue;
            }
            foreach (var record in text[..last].Split(RecordSeparator))
            {
                _records.Enqueue(record);
            }
            _partial.Clear().Append(text[(last + 1)..]);
        }
        return _records.Dequeue();
    }
}
