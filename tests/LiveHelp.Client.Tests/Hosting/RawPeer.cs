using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace LiveHelp.Client.Tests.Hosting;

/// <summary>
/// A WebSocket peer that speaks the hub protocol by hand, so tests can choose exactly how records are framed and how
/// the connection ends. Clients reach it with SkipNegotiation.
/// </summary>
public static class RawPeer
{
    private const char Separator = '\u001e';

    public static async Task RunAsync(HttpContext context, string script)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var reader = new RecordReader(socket);
        if (await reader.ReadAsync() is null)
        {
            return;
        }
        switch (script)
        {
            case "batched":
                await BatchedAsync(socket, reader);
                break;
            case "handshake-error":
                await SendAsync(socket, "{\"error\":\"nope\"}" + Separator);
                await DrainAsync(reader);
                break;
            case "close-final":
                await SendAsync(socket, "{}" + Separator + "{\"type\":7,\"error\":\"going away\"}" + Separator);
                await DrainAsync(reader);
                break;
            case "close-reconnect":
                await SendAsync(socket, "{}" + Separator + "{\"type\":7,\"error\":\"restarting\",\"allowReconnect\":true}" + Separator);
                await DrainAsync(reader);
                break;
            case "client-result":
                await SendAsync(socket, "{}" + Separator + "{\"type\":1,\"invocationId\":\"s1\",\"target\":\"ask\",\"arguments\":[]}" + Separator);
                var reply = await reader.ReadAsync();
                await SendAsync(socket, "{\"type\":1,\"target\":\"reply\",\"arguments\":[" + JsonSerializer.Serialize(reply) + "]}" + Separator);
                await DrainAsync(reader);
                break;
            default:
                await socket.CloseAsync(WebSocketCloseStatus.PolicyViolation, "unknown script", CancellationToken.None);
                break;
        }
    }

    /// <summary>
    /// The handshake answer and three events in one frame; then, for the client's Echo call, an answer sent one byte
    /// per frame (splitting multi-byte characters), its separator arriving in the next message together with the start
    /// of an event that ends in a third message.
    /// </summary>
    private static async Task BatchedAsync(WebSocket socket, RecordReader reader)
    {
        await SendAsync(socket, "{}" + Separator + Tick(1) + Tick(2) + Tick(3));
        var invocation = await reader.ReadAsync() ?? throw new InvalidOperationException("no invocation");
        using var document = JsonDocument.Parse(invocation);
        var id = document.RootElement.GetProperty("invocationId").GetString();
        var text = document.RootElement.GetProperty("arguments")[0].GetString();
        var completion = Encoding.UTF8.GetBytes(
            JsonSerializer.Serialize(new { type = 3, invocationId = id, result = text + " ✓ é" }, new JsonSerializerOptions
            {
                Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            }));
        for (var i = 0; i < completion.Length; i++)
        {
            // One byte per frame: fragments of one text message, so characters may be split between frames.
            await socket.SendAsync(completion.AsMemory(i, 1), WebSocketMessageType.Text, endOfMessage: i == completion.Length - 1, CancellationToken.None);
        }
        var tail = Encoding.UTF8.GetBytes(Separator + Tick(4));
        await socket.SendAsync(tail.AsMemory(0, 8), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        await socket.SendAsync(tail.AsMemory(8), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        await DrainAsync(reader);
    }

    private static string Tick(int n) => "{\"type\":1,\"target\":\"tick\",\"arguments\":[" + n + "]}" + Separator;

    private static Task SendAsync(WebSocket socket, string text) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

    /// <summary>Reads (and ignores pings) until the client goes.</summary>
    private static async Task DrainAsync(RecordReader reader)
    {
        while (await reader.ReadAsync() is not null)
        {
        }
    }

    private sealed class RecordReader(WebSocket socket)
    {
        private readonly List<byte> _pending = [];
        private readonly byte[] _buffer = new byte[4096];

        public async Task<string?> ReadAsync()
        {
            while (true)
            {
                var end = _pending.IndexOf(0x1E);
                if (end >= 0)
                {
                    var record = Encoding.UTF8.GetString(_pending.GetRange(0, end).ToArray());
                    _pending.RemoveRange(0, end + 1);
                    if (record == "{\"type\":6}")
                    {
                        continue;
                    }
                    return record;
                }
                WebSocketReceiveResult result;
                try
                {
                    result = await socket.ReceiveAsync(_buffer, CancellationToken.None);
                }
                catch (Exception)
                {
                    return null;
                }
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    if (socket.State == WebSocketState.CloseReceived)
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                    }
                    return null;
                }
                _pending.AddRange(_buffer.AsSpan(0, result.Count).ToArray());
            }
        }
    }
}
