using System.Collections.Concurrent;
using LiveHelp.Core;
using LiveHelp.Core.Conversations;
using LiveHelp.Server.Help;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace LiveHelp.Server.Hubs;

/// <summary>
/// This node's staff connections, which last only while their account is enabled. Every hub call from staff checks
/// the account in the store (an answer is kept for a second), and every <see cref="LiveHelpOptions.StaffRecheckInterval"/>
/// the node re-reads the accounts of its staff connections and closes those of disabled or removed ones: each node
/// learns from the store, whichever node the admin used, with no message between nodes. The admin's own node closes
/// the connections at once. A closed connection is a disconnected agent: their conversations wait out the grace period.
/// </summary>
public sealed partial class StaffConnections(IConversationStore store, IOptions<LiveHelpOptions> options, ILogger<StaffConnections> log)
    : BackgroundService, IHubFilter
{
    private static readonly TimeSpan Freshness = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, HubCallerContext> _open = new(StringComparer.Ordinal);
    private readonly MemoryCache _enabled = new(new MemoryCacheOptions());

    /// <summary>An admin disabled the account on this node: its connections here close now, and its next call anywhere here is refused.</summary>
    public void Close(string agentId)
    {
        _enabled.Remove(agentId);
        foreach (var connection in _open.Values.Where(c => Caller.Of(c.User).Id == agentId))
        {
            connection.Abort();
        }
    }

    /// <summary>Forgets what was read about the account, so the next call reads it again.</summary>
    public void Forget(string agentId) => _enabled.Remove(agentId);

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var caller = Caller.Of(invocationContext.Context.User);
        if (caller.IsStaff && !await IsEnabledAsync(caller.Id))
        {
            throw new HubException($"{ErrorCodes.Forbidden}: this account is disabled");
        }
        return await next(invocationContext);
    }

    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        await next(context);
        if (Caller.Of(context.Context.User).IsStaff)
        {
            _open[context.Context.ConnectionId] = context.Context;
        }
    }

    public Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        _open.TryRemove(context.Context.ConnectionId, out _);
        return next(context, exception);
    }

    public override void Dispose()
    {
        _enabled.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.StaffRecheckInterval);
        var outage = new StoreOutageLog(log, "The staff account re-check");
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await outage.RunAsync(CloseDisabledAsync, e => RecheckFailed(log, e));
        }
    }

    /// <summary>Closes the connections of staff whose accounts were disabled or deleted since they connected.</summary>
    private async Task CloseDisabledAsync()
    {
        foreach (var agentId in _open.Values.Select(c => Caller.Of(c.User).Id).Distinct(StringComparer.Ordinal).ToList())
        {
            if (!await IsEnabledAsync(agentId))
            {
                Close(agentId);
            }
        }
    }

    private async Task<bool> IsEnabledAsync(string agentId)
    {
        if (_enabled.TryGetValue(agentId, out bool enabled))
        {
            return enabled;
        }
        enabled = await store.FindAgentAsync(agentId) is { Disabled: false };
        _enabled.Set(agentId, enabled, Freshness);
        return enabled;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not re-read the accounts of connected staff; trying again shortly")]
    private static partial void RecheckFailed(ILogger logger, Exception exception);
}
