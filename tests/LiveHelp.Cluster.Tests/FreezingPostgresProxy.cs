using System.Net;
using System.Net.Sockets;
using System.Text;
using Npgsql;

namespace LiveHelp.Cluster.Tests;

/// <summary>
/// A TCP proxy between one node and PostgreSQL. Once told what to wait for, it passes on the first packet from the
/// node that holds that SQL and then forwards nothing more, either way, on any of the node's connections, which it
/// keeps open: to PostgreSQL the node froze right after sending the statement.
/// </summary>
public sealed class FreezingPostgresProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _host;
    private readonly int _port;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _sockets = [];
    private readonly TaskCompletionSource _frozen = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _accepting;
    private byte[]? _trigger;
    private volatile bool _isFrozen;

    /// <param name="connectionString">The database's own connection string.</param>
    public FreezingPostgresProxy(string connectionString)
    {
        var target = new NpgsqlConnectionStringBuilder(connectionString);
        _host = target.Host!;
        _port = target.Port;
        _listener.Start();
        ConnectionString = new NpgsqlConnectionStringBuilder(connectionString) { Port = ((IPEndPoint)_listener.LocalEndpoint).Port }.ConnectionString;
        _accepting = AcceptAsync();
    }

    /// <summary>The connection string that reaches the database through this proxy.</summary>
    public string ConnectionString { get; }

    /// <summary>Completes once the packet holding the SQL has been passed on and the traffic stopped.</summary>
    public Task Frozen => _frozen.Task;

    /// <summary>Freezes the traffic right after passing on the first packet from the node that holds <paramref name="sql"/>.</summary>
    public void FreezeAfter(string sql) => Volatile.Write(ref _trigger, Encoding.UTF8.GetBytes(sql));

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _accepting;
        lock (_sockets)
        {
            foreach (var socket in _sockets)
            {
                socket.Dispose();
            }
        }
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            TcpClient node;
            try
            {
                node = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = ConnectAsync(node);
        }
    }

    private async Task ConnectAsync(TcpClient node)
    {
        var database = new TcpClient();
        lock (_sockets)
        {
            _sockets.Add(node);
            _sockets.Add(database);
        }
        try
        {
            await database.ConnectAsync(_host, _port, _stop.Token);
            await Task.WhenAll(
                ForwardAsync(node.GetStream(), database.GetStream(), fromNode: true),
                ForwardAsync(database.GetStream(), node.GetStream(), fromNode: false));
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }
        if (!_isFrozen)
        {
            node.Dispose();
            database.Dispose();
        }
    }

    /// <summary>Copies one direction until it ends or the traffic freezes; a frozen connection stays open.</summary>
    private async Task ForwardAsync(NetworkStream from, NetworkStream to, bool fromNode)
    {
        var buffer = new byte[64 * 1024];
        var tail = Array.Empty<byte>();
        while (true)
        {
            var read = await from.ReadAsync(buffer, _stop.Token);
            if (read == 0 || _isFrozen)
            {
                return;
            }
            var trigger = fromNode ? Volatile.Read(ref _trigger) : null;
            // The last bytes of the previous packet too, in case the SQL straddles two reads.
            var seen = tail.Concat(buffer.Take(read)).ToArray();
            var freezes = trigger is not null && seen.AsSpan().IndexOf(trigger) >= 0;
            if (freezes)
            {
                // Frozen before the statement leaves, so not even its answer gets back to the node.
                _isFrozen = true;
            }
            await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            if (freezes)
            {
                _frozen.TrySetResult();
                return;
            }
            tail = trigger is null ? [] : seen[Math.Max(0, seen.Length - trigger.Length + 1)..];
        }
    }
}
