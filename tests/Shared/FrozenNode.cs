using System.Net;
using System.Net.Sockets;
using System.Text;

namespace LiveHelp.Testing;

/// <summary>
/// A real TCP listener on loopback standing for a node whose process is frozen while its kernel still accepts
/// connections: the connections it holds are accepted, read and never answered. With a live server given, the
/// others are passed through to it, as a balancer would send them to another node.
/// </summary>
public sealed class FrozenNode : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Uri? _live;
    private readonly Func<string, bool> _holds;
    private readonly List<TcpClient> _connections = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _accepted;

    /// <param name="live">Where connections that are not held go; none: every connection is held.</param>
    /// <param name="holds">
    /// Told each connection's request line ("GET /hub HTTP/1.1"), one connection at a time: whether to hold it. All
    /// are held when null.
    /// </param>
    public FrozenNode(Uri? live = null, Func<string, bool>? holds = null)
    {
        _live = live;
        _holds = holds ?? (_ => true);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>How many TCP connections were accepted so far.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    public Uri BaseUri => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    public Uri Url(string path) => new(BaseUri, path.TrimStart('/'));

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _accepting;
        lock (_connections)
        {
            foreach (var connection in _connections)
            {
                connection.Dispose();
            }
        }
    }

    private async Task AcceptAsync()
    {
        var decisions = new SemaphoreSlim(1, 1);
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            lock (_connections)
            {
                _connections.Add(client);
            }
            Interlocked.Increment(ref _accepted);
            _ = ServeAsync(client, decisions);
        }
    }

    private async Task ServeAsync(TcpClient client, SemaphoreSlim decisions)
    {
        try
        {
            var down = client.GetStream();
            var head = new MemoryStream();
            var buffer = new byte[8192];
            while (head.Length < buffer.Length && Array.IndexOf(head.GetBuffer(), (byte)'\n', 0, (int)head.Length) < 0)
            {
                var read = await down.ReadAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    return;
                }
                head.Write(buffer, 0, read);
            }
            var bytes = head.ToArray();
            var requestLine = Encoding.ASCII.GetString(bytes, 0, Math.Max(0, Array.IndexOf(bytes, (byte)'\n'))).TrimEnd('\r');
            await decisions.WaitAsync(_stop.Token);
            bool held;
            try
            {
                held = _live is null || _holds(requestLine);
            }
            finally
            {
                decisions.Release();
            }
            if (held)
            {
                return;
            }
            using var upstream = new TcpClient();
            await upstream.ConnectAsync(_live!.Host, _live.Port, _stop.Token);
            var up = upstream.GetStream();
            await up.WriteAsync(bytes, _stop.Token);
            await Task.WhenAny(down.CopyToAsync(up, _stop.Token), up.CopyToAsync(down, _stop.Token));
            client.Dispose();
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            client.Dispose();
        }
    }
}
