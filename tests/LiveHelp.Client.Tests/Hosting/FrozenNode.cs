using System.Net;
using System.Net.Sockets;

namespace LiveHelp.Client.Tests.Hosting;

/// <summary>
/// A real TCP listener on loopback standing for a node whose process is frozen while its kernel still accepts
/// connections: the connections it holds are accepted and never answered. With a live server given, the other
/// connections are passed through to it, as a balancer would send them to another node.
/// </summary>
public sealed class FrozenNode : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Uri? _live;
    private readonly Func<int, bool> _holds;
    private readonly List<TcpClient> _connections = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _accepted;

    /// <param name="live">Where connections that are not held go; none: every connection is held.</param>
    /// <param name="holds">Which connections, numbered from 0 in the order accepted, are held; all when null.</param>
    public FrozenNode(Uri? live = null, Func<int, bool>? holds = null)
    {
        _live = live;
        _holds = holds ?? (_ => true);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>How many TCP connections were accepted so far.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    public Uri Url(string path) => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/{path.TrimStart('/')}");

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
            var number = Interlocked.Increment(ref _accepted) - 1;
            if (_live is not null && !_holds(number))
            {
                _ = PassThroughAsync(client, _live);
            }
        }
    }

    private async Task PassThroughAsync(TcpClient client, Uri live)
    {
        try
        {
            using var upstream = new TcpClient();
            await upstream.ConnectAsync(live.Host, live.Port, _stop.Token);
            var down = client.GetStream();
            var up = upstream.GetStream();
            await Task.WhenAny(down.CopyToAsync(up, _stop.Token), up.CopyToAsync(down, _stop.Token));
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            client.Dispose();
        }
    }
}
