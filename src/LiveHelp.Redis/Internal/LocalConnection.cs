using Microsoft.AspNetCore.SignalR;

namespace LiveHelp.Redis.Internal;

/// <summary>A hub connection held by this node, with the groups it belongs to.</summary>
internal sealed class LocalConnection(HubConnectionContext context, string? userId)
{
    public HubConnectionContext Context { get; } = context;

    public string ConnectionId => Context.ConnectionId;

    /// <summary>The user as it was at connect time: the one whose channel this connection holds.</summary>
    public string? UserId { get; } = string.IsNullOrEmpty(userId) ? null : userId;

    /// <summary>Orders this connection's group changes and its disconnect, so no subscription outlives it.</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>Guarded by <see cref="Gate"/>.</summary>
    public HashSet<string> Groups { get; } = new(StringComparer.Ordinal);

    /// <summary>Guarded by <see cref="Gate"/>.</summary>
    public bool IsClosed { get; set; }

    public BusSubscription? Subscription { get; set; }
}
