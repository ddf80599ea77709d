using System.Net;
using System.Net.Sockets;
using System.Text;

namespace LiveHelp.Redis.Tests.Backplane.Support;

/// <summary>
/// A minimal RESP client straight on a socket, independent of the code under test: it looks at the server's pub/sub
/// state (PUBSUB CHANNELS / NUMSUB / NUMPAT), publishes raw bytes, or plays a node that subscribes and stays silent.
/// </summary>
public sealed class RawRedis : IAsyncDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly StreamReader _reader;
    private Task<object?>? _pendingPush;

    private RawRedis(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
        _reader = new StreamReader(_stream, Encoding.Latin1);
    }

    public static async Task<RawRedis> ConnectAsync(int port)
    {
        var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        return new RawRedis(client);
    }

    /// <summary>The channels with at least one subscriber that match a glob pattern.</summary>
    public async Task<string[]> ChannelsAsync(string pattern)
    {
        var reply = (object?[])(await CommandAsync("PUBSUB", "CHANNELS", pattern))!;
        return [.. reply.Cast<string>().Order(StringComparer.Ordinal)];
    }

    /// <summary>How many clients subscribe to exactly this channel.</summary>
    public async Task<long> SubscribersAsync(string channel)
    {
        var reply = (object?[])(await CommandAsync("PUBSUB", "NUMSUB", channel))!;
        return (long)reply[1]!;
    }

    public async Task<long> PatternSubscriptionsAsync() => (long)(await CommandAsync("PUBSUB", "NUMPAT"))!;

    public async Task<long> PublishAsync(string channel, byte[] payload) =>
        (long)(await CommandAsync(Encoding.UTF8.GetBytes("PUBLISH"), Encoding.UTF8.GetBytes(channel), payload))!;

    /// <summary>Subscribes this client (which then can only listen) and waits for Redis to confirm.</summary>
    public Task SubscribeAsync(string channel) => CommandAsync("SUBSCRIBE", channel);

    /// <summary>The payload of the next message pushed to this subscribed client, or null if none comes in time.</summary>
    public async Task<string?> NextMessageAsync(TimeSpan timeout)
    {
        // A read that timed out stays pending on the socket; the next call takes it over.
        _pendingPush ??= ReadReplyAsync();
        if (await Task.WhenAny(_pendingPush, Task.Delay(timeout)) != _pendingPush)
        {
            return null;
        }
        var push = (object?[])(await _pendingPush)!;
        _pendingPush = null;
        return (string?)push[2];
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    private Task<object?> CommandAsync(params string[] parts) => CommandAsync([.. parts.Select(Encoding.UTF8.GetBytes)]);

    private async Task<object?> CommandAsync(params byte[][] parts)
    {
        var request = new MemoryStream();
        request.Write(Encoding.ASCII.GetBytes($"*{parts.Length}\r\n"));
        foreach (var part in parts)
        {
            request.Write(Encoding.ASCII.GetBytes($"${part.Length}\r\n"));
            request.Write(part);
            request.Write("\r\n"u8);
        }
        await _stream.WriteAsync(request.ToArray());
        return await ReadReplyAsync();
    }

    private async Task<object?> ReadReplyAsync()
    {
        var line = await _reader.ReadLineAsync() ?? throw new IOException("Redis closed the connection.");
        var body = line[1..];
        switch (line[0])
        {
            case '+':
                return body;
            case '-':
                throw new InvalidOperationException($"Redis: {body}");
            case ':':
                return long.Parse(body);
            case '$':
                var length = int.Parse(body);
                if (length < 0)
                {
                    return null;
                }
                var buffer = new char[length + 2];
                var read = 0;
                while (read < buffer.Length)
                {
                    read += await _reader.ReadAsync(buffer, read, buffer.Length - read);
                }
                return new string(buffer, 0, length);
            case '*':
                var count = int.Parse(body);
                var items = new object?[Math.Max(count, 0)];
                for (var i = 0; i < count; i++)
                {
                    items[i] = await ReadReplyAsync();
                }
                return items;
            default:
                throw new InvalidOperationException($"Unexpected Redis reply: {line}");
        }
    }
}
