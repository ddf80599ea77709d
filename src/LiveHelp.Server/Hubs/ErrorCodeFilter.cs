using LiveHelp.Core;
using LiveHelp.Persistence;
using Microsoft.AspNetCore.SignalR;

namespace LiveHelp.Server.Hubs;

/// <summary>
/// Turns a refusal into the hub's error form, "code: message", which clients parse, and logs what the server did:
/// a refusal at Debug, a store out of reach as "unavailable" at Warning, anything else at Error.
/// </summary>
internal sealed class ErrorCodeFilter(ILogger<ErrorCodeFilter> log) : IHubFilter
{
    /// <summary>
    /// SignalR's dispatcher logs every exception from a hub method, refusals included, at Error with a stack trace;
    /// its other entries are Debug and Trace. It is silenced, and this filter logs the real failures itself.
    /// </summary>
    public const string DispatcherCategory = "Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher";

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext context, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(context);
        }
        catch (LiveHelpException e)
        {
            var answer = $"{e.Code}: {e.Message}";
            Log.Refused(log, context.HubMethodName, answer);
            throw new HubException(answer);
        }
        catch (HubException e)
        {
            Log.Refused(log, context.HubMethodName, e.Message);
            throw;
        }
        catch (Exception e) when (StoreFaults.IsTransient(e))
        {
            Log.StoreUnavailable(log, context.HubMethodName, e.Message);
            throw new HubException($"{ErrorCodes.Unavailable}: the service is briefly unavailable; try again in a moment");
        }
        catch (Exception e)
        {
            Log.HubMethodFailed(log, context.HubMethodName, e);
            throw;
        }
    }
}
