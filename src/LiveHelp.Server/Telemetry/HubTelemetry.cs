using LiveHelp.Core;
using LiveHelp.Server.Help;
using Microsoft.AspNetCore.SignalR;

namespace LiveHelp.Server.Telemetry;

/// <summary>Counts the hub's open connections by role, and the calls it refuses by their code.</summary>
internal sealed class HubTelemetry(LiveHelpMetrics metrics) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext context, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(context);
        }
        catch (LiveHelpException e)
        {
            metrics.Refused(e.Code);
            throw;
        }
    }

    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        await next(context);
        // Only a connection that was let in is counted, so the disconnect below always has its match.
        context.Context.Items[typeof(HubTelemetry)] = RoleOf(context);
        metrics.Connected(RoleOf(context));
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        if (context.Context.Items.Remove(typeof(HubTelemetry), out var role) && role is string counted)
        {
            metrics.Disconnected(counted);
        }
        await next(context, exception);
    }

    private static string RoleOf(HubLifetimeContext context) => Caller.Of(context.Context.User).Role;
}
