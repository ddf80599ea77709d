using System.Buffers.Text;
using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Threading.Channels;
using LiveHelp.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LiveHelp.Benchmarks.Scenarios;

/// <summary>
/// The floor for delivery: a bare Kestrel WebSocket echo in its own process (this tool started with "echo-server").
/// A message goes out and comes back on the same socket; no routing, no store, no hub protocol.
/// </summary>
internal sealed class EchoRelay : IRelay
{
    private readonly Process _server;
    private readonly Uri _uri;
    private readonly List<Pair> _pairs = [];

    private EchoRelay(Process server, int port)
    {
        _server = server;
        _uri = new Uri($"ws://127.0.0.1:{port}/echo");
    }

    public string Name => "Bare Kestrel WebSocket echo (floor)";

    public IReadOnlyList<int> ServerProcessIds => [_server.Id];

    public static async Task<EchoRelay> StartAsync()
    {
        var port = LoopbackPort.Free();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true };
        start.ArgumentList.Add(typeof(EchoRelay).Assembly.Location);
        start.ArgumentList.Add("echo-server");
        start.ArgumentList.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var server = Process.Start(start)!;
        var ready = await server.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        if (ready != "listening")
        {
            server.Kill();
            throw new InvalidOperationException($"the echo server did not start: {ready}");
        }
        return new EchoRelay(server, port);
    }

    /// <summary>The server side, run in the child process.</summary>
    public static async Task ServeAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        app.UseWebSockets();
        app.Map("/echo", async (HttpContext http) =>
        {
            using var socket = await http.WebSockets.AcceptWebSocketAsync();
            var buffer = new byte[4096];
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer, CancellationToken.None);
                if (read.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }
                await socket.SendAsync(buffer.AsMemory(0, read.Count), read.MessageType, read.EndOfMessage, CancellationToken.None);
            }
        });
        await app.StartAsync();
        Console.WriteLine("listening");
        await app.WaitForShutdownAsync();
    }

    public async Task<IRelayPair> OpenPairAsync(int index, Action<Side, long> received, CancellationToken ct)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(_uri, ct);
        var pair = new Pair(socket, received);
        _pairs.Add(pair);
        return pair;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var pair in _pairs)
        {
            await pair.DisposeAsync();
        }
        _server.Kill();
        await _server.WaitForExitAsync();
    }

    private sealed class Pair : IRelayPair
    {
        private readonly ClientWebSocket _socket;
        private readonly Action<Side, long> _received;
        private readonly Channel<(Side, long)> _outgoing = Channel.CreateUnbounded<(Side, long)>(new UnboundedChannelOptions { SingleReader = true });
        private readonly Task _sending;
        private readonly Task _receiving;

        public Pair(ClientWebSocket socket, Action<Side, long> received)
        {
            _socket = socket;
            _received = received;
            _sending = SendLoopAsync();
            _receiving = ReceiveLoopAsync();
        }

        public void Send(Side from, long stamp) => _outgoing.Writer.TryWrite((from, stamp));

        public async ValueTask DisposeAsync()
        {
            _outgoing.Writer.TryComplete();
            await _sending;
            _socket.Abort();
            try
            {
                await _receiving;
            }
            catch (WebSocketException)
            {
            }
            _socket.Dispose();
        }

        private async Task SendLoopAsync()
        {
            // One byte for the side the message goes to, then the stamp as text, as a chat message would carry it.
            var buffer = new byte[32];
            await foreach (var (from, stamp) in _outgoing.Reader.ReadAllAsync())
            {
                buffer[0] = from == Side.Customer ? (byte)'a' : (byte)'c';
                Utf8Formatter.TryFormat(stamp, buffer.AsSpan(1), out var written);
                await _socket.SendAsync(buffer.AsMemory(0, written + 1), WebSocketMessageType.Text, true, CancellationToken.None);
            }
        }

        private async Task ReceiveLoopAsync()
        {
            var buffer = new byte[64];
            while (_socket.State == WebSocketState.Open)
            {
                ValueWebSocketReceiveResult read;
                try
                {
                    read = await _socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
                }
                catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
                {
                    return;
                }
                if (read.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }
                if (Utf8Parser.TryParse(buffer.AsSpan(1, read.Count - 1), out long stamp, out _))
                {
                    _received(buffer[0] == (byte)'a' ? Side.Agent : Side.Customer, stamp);
                }
            }
        }
    }
}
