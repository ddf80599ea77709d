namespace LiveHelp.Benchmarks.Scenarios;

/// <summary>The two ends of a live conversation: the customer and the agent (for the echo floor, one socket).</summary>
internal enum Side
{
    Customer,
    Agent,
}

/// <summary>
/// Something that carries a message from one party to the other: LiveHelp, the Socket.IO peer, the bare WebSocket echo.
/// The traffic scenario drives every one of them the same way, so their figures compare.
/// </summary>
internal interface IRelay : IAsyncDisposable
{
    /// <summary>What the report calls it, e.g. "LiveHelp, 1 node" or "Socket.IO 4.8, 2 processes".</summary>
    string Name { get; }

    /// <summary>
    /// Opens one two-party pair. A message sent from one side with a stamp must reach the other side, which calls
    /// <paramref name="received"/> with the side it arrived at and the same stamp.
    /// </summary>
    Task<IRelayPair> OpenPairAsync(int index, Action<Side, long> received, CancellationToken ct);

    /// <summary>The server processes' ids, to read their memory and CPU time.</summary>
    IReadOnlyList<int> ServerProcessIds { get; }
}

internal interface IRelayPair : IAsyncDisposable
{
    /// <summary>Starts sending and returns without waiting for delivery; the stamp is <see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>.</summary>
    void Send(Side from, long stamp);
}
