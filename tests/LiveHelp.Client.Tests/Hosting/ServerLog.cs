using System.Collections.Concurrent;

namespace LiveHelp.Client.Tests.Hosting;

/// <summary>What the test server saw, for assertions.</summary>
public sealed class ServerLog
{
    private readonly ConcurrentQueue<string> _negotiateAuthorizations = new();
    private readonly ConcurrentQueue<string> _connected = new();
    private readonly TaskCompletionSource<string> _firstDisconnect = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _negotiations;

    public int Negotiations => Volatile.Read(ref _negotiations);

    public IReadOnlyCollection<string> NegotiateAuthorizations => _negotiateAuthorizations;

    public IReadOnlyCollection<string> Connected => _connected;

    /// <summary>Completes with the id of the first connection the hub saw go.</summary>
    public Task<string> FirstDisconnect => _firstDisconnect.Task;

    public void Negotiated(string path, string authorization)
    {
        Interlocked.Increment(ref _negotiations);
        _negotiateAuthorizations.Enqueue(authorization);
    }

    public void OnConnected(string connectionId) => _connected.Enqueue(connectionId);

    public void OnDisconnected(string connectionId) => _firstDisconnect.TrySetResult(connectionId);
}
