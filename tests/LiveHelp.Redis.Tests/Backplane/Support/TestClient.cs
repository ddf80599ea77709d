using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using System.Threading.Channels;
using LiveHelp.Core.Contracts;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LiveHelp.Redis.Tests.Backplane.Support;

public sealed class TestHub : Hub<IHelpClient>;

/// <summary>How a test connection's writes behave.</summary>
public enum WriteBehaviour
{
    /// <summary>A real <see cref="HubConnectionContext"/> write into the in-memory pipe.</summary>
    Normal,

    /// <summary>WriteAsync returns a faulted task.</summary>
    Faults,
}

/// <summary>One invocation as the client received it over the JSON hub protocol.</summary>
public sealed record Received(string Target, JsonElement[] Arguments)
{
    public string Text => Arguments.Length > 0 ? Arguments[0].ToString() : "";
}

/// <summary>
/// A real <see cref="HubConnectionContext"/> over a <see cref="DefaultConnectionContext"/> whose transport is an
/// in-memory pipe; the test reads what the server wrote, parsed as JSON hub protocol frames.
/// </summary>
public sealed class TestClient : IAsyncDisposable
{
    private const byte RecordSeparator = 0x1e;

    private readonly Channel<Received> _received = Channel.CreateUnbounded<Received>();
    private readonly Pipe _toClient = new();
    private readonly Pipe _toServer = new();
    private readonly Task _reading;
    private volatile bool _goingAway;

    public TestClient(IHubProtocol protocol, string? userId = null, WriteBehaviour behaviour = WriteBehaviour.Normal)
    {
        ConnectionId = $"c-{Guid.NewGuid():N}";
        var context = new DefaultConnectionContext(
            ConnectionId,
            transport: new DuplexPipe(_toServer.Reader, _toClient.Writer),
            application: new DuplexPipe(_toClient.Reader, _toServer.Writer));
        Connection = new ScriptedConnection(context, behaviour, NullLoggerFactory.Instance)
        {
            Protocol = protocol,
            UserIdentifier = userId,
        };
        _reading = ReadAsync();
    }

    public string ConnectionId { get; }

    public HubConnectionContext Connection { get; }

    /// <summary>Writes attempted on a misbehaving connection.</summary>
    public int Attempts => ((ScriptedConnection)Connection).Attempts;

    public async Task<Received> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        try
        {
            return await _received.Reader.ReadAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{ConnectionId} received nothing within {timeout ?? TimeSpan.FromSeconds(10)}.");
        }
    }

    public async Task<Received> ReceiveAsync(string expectedText)
    {
        var received = await ReceiveAsync();
        Assert.Equal(expectedText, received.Text);
        return received;
    }

    /// <summary>Nothing (more) arrives within the window.</summary>
    public async Task AssertNothingAsync(TimeSpan? window = null)
    {
        await Task.Delay(window ?? TimeSpan.FromMilliseconds(300));
        if (_received.Reader.TryRead(out var unexpected))
        {
            Assert.Fail($"{ConnectionId} unexpectedly received {unexpected.Target}({unexpected.Text}).");
        }
    }

    /// <summary>The client vanishes: it stops reading and the connection is aborted.</summary>
    public async Task GoAwayAsync()
    {
        _goingAway = true;
        _toClient.Reader.CancelPendingRead();
        await _reading;
        Connection.Abort();
    }

    public async ValueTask DisposeAsync()
    {
        await _toClient.Writer.CompleteAsync();
        await _reading;
        await _toServer.Writer.CompleteAsync();
    }

    private async Task ReadAsync()
    {
        var reader = _toClient.Reader;
        while (true)
        {
            var result = await reader.ReadAsync();
            if (_goingAway)
            {
                break;
            }
            var buffer = result.Buffer;
            while (buffer.PositionOf(RecordSeparator) is { } end)
            {
                Parse(buffer.Slice(0, end));
                buffer = buffer.Slice(buffer.GetPosition(1, end));
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                break;
            }
        }
        await reader.CompleteAsync();
        _received.Writer.TryComplete();
    }

    private void Parse(ReadOnlySequence<byte> frame)
    {
        using var json = JsonDocument.Parse(frame);
        var root = json.RootElement;
        if (root.GetProperty("type").GetInt32() != HubProtocolConstants.InvocationMessageType)
        {
            return;
        }
        var arguments = root.GetProperty("arguments").EnumerateArray().Select(a => a.Clone()).ToArray();
        _received.Writer.TryWrite(new Received(root.GetProperty("target").GetString()!, arguments));
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input => input;

        public PipeWriter Output => output;
    }

    private sealed class ScriptedConnection(ConnectionContext context, WriteBehaviour behaviour, ILoggerFactory loggerFactory)
        : HubConnectionContext(context, new HubConnectionContextOptions(), loggerFactory)
    {
        private int _attempts;

        public int Attempts => Volatile.Read(ref _attempts);

        public override ValueTask WriteAsync(SerializedHubMessage message, CancellationToken cancellationToken = default) =>
            behaviour == WriteBehaviour.Normal ? base.WriteAsync(message, cancellationToken) : Misbehave();

        public override ValueTask WriteAsync(HubMessage message, CancellationToken cancellationToken = default) =>
            behaviour == WriteBehaviour.Normal ? base.WriteAsync(message, cancellationToken) : Misbehave();

        private ValueTask Misbehave()
        {
            Interlocked.Increment(ref _attempts);
            return ValueTask.FromException(new IOException("this connection's transport is broken"));
        }
    }
}
