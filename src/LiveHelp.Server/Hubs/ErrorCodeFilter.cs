using LiveHelp.Core;
using Microsoft.AspNetCore.SignalR;

namespace LiveHelp.Server.Hubs;

/// <summary>Turns a refusal into the hub's error form, "code: message", which clients parse.</summary>
internal sealed class ErrorCodeFilter : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext context, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(context);
        }
        catch (LiveHelpException e)
        {
            throw new HubException($"{e.Code}: {e.Message}");
        }
    }
}
