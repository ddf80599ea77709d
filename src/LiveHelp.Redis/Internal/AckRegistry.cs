using System.Collections.Concurrent;

namespace LiveHelp.Redis.Internal;

/// <summary>The group changes this node has asked other nodes to make and not yet seen confirmed.</summary>
internal sealed class AckRegistry
{
    private readonly ConcurrentDictionary<long, TaskCompletionSource<AckStatus>> _pending = new();
    private long _lastId;

    public (long Id, Task<AckStatus> Confirmed) Create()
    {
        var id = Interlocked.Increment(ref _lastId);
        // Continuations must not run on the pub/sub callback that completes the ack.
        var confirmation = new TaskCompletionSource<AckStatus>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = confirmation;
        return (id, confirmation.Task);
    }

    /// <summary>False when nobody waits for this id any more (it timed out, or is not ours).</summary>
    public bool Complete(long id, AckStatus status) => _pending.TryRemove(id, out var confirmation) && confirmation.TrySetResult(status);

    public void Forget(long id) => _pending.TryRemove(id, out _);

    public void FailAll(Exception reason)
    {
        foreach (var id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out var confirmation))
            {
                confirmation.TrySetException(reason);
            }
        }
    }
}
