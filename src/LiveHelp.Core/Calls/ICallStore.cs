namespace LiveHelp.Core.Calls;

/// <summary>Live calls, at most one per conversation. Like offers, calls are live state: they live where routing state lives.</summary>
public interface ICallStore
{
    Task<Call?> FindLiveAsync(string conversationId);

    /// <summary>False when the conversation already has a live call.</summary>
    Task<bool> TryAddAsync(Call call);

    /// <summary>Writes the call if the stored version equals its version; returns the stored copy, or null when stale or gone.</summary>
    Task<Call?> TryUpdateAsync(Call call);

    Task<IReadOnlyList<Call>> ListLiveAsync();
}

public sealed class InMemoryCallStore : ICallStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Call> _live = new(StringComparer.Ordinal);

    public Task<Call?> FindLiveAsync(string conversationId)
    {
        lock (_gate)
        {
            return Task.FromResult(_live.GetValueOrDefault(conversationId));
        }
    }

    public Task<bool> TryAddAsync(Call call)
    {
        lock (_gate)
        {
            return Task.FromResult(_live.TryAdd(call.ConversationId, call with { Version = 1 }));
        }
    }

    public Task<Call?> TryUpdateAsync(Call call)
    {
        lock (_gate)
        {
            if (!_live.TryGetValue(call.ConversationId, out var stored) || stored.Id != call.Id || stored.Version != call.Version)
            {
                return Task.FromResult<Call?>(null);
            }
            var updated = call with { Version = call.Version + 1 };
            if (updated.IsLive)
            {
                _live[call.ConversationId] = updated;
            }
            else
            {
                _live.Remove(call.ConversationId);
            }
            return Task.FromResult<Call?>(updated);
        }
    }

    public Task<IReadOnlyList<Call>> ListLiveAsync()
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<Call>>(_live.Values.ToList());
        }
    }
}
