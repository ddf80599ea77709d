using LiveHelp.Core;
using LiveHelp.Persistence;
using Microsoft.AspNetCore.SignalR;

namespace LiveHelp.Server.Hubs;

/// <summary>
/// Turns a refusal into the hub's error form, "code: message", which clients parse, and logs what the server did:
/// a refusal at Debug, a store out of reach as "unavailable" at Warning, anything else at Error. A connection that
/// arrives while the store is out of reach is held and its connect work tried again with back-off, since clients
/// take a failed connect as final; past <see cref="ConnectRetryDelays"/> it closes as "unavailable", which
/// <see cref="CodedHubProtocol"/> lets clients reconnect from.
/// </summary>
internal sealed class ErrorCodeFilter(ILogger<ErrorCodeFilter> log) : IHubFilter
{
    /// <summary>
    /// SignalR's dispatcher logs every exception from a hub method, refusals included, at Error with a stack trace;
    /// its other entries are Debug and Trace. It is silenced, and this filter logs the real failures itself.
    /// </summary>
    public const string DispatcherCategory = "Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher";

    /// <summary>
    /// SignalR's connection handler logs every exception from OnConnectedAsync and OnDisconnectedAsync at Error, a
    /// refused connection included; its other entries are Debug and Trace. It is silenced, and this filter logs them.
    /// </summary>
    public const string ConnectionHandlerCategory = "Microsoft.AspNetCore.SignalR.HubConnectionHandler";

    private const string Connecting = "OnConnectedAsync";

    /// <summary>About 16 s in all: a store restart or failover usually ends within it.</summary>
    private static readonly TimeSpan[] ConnectRetryDelays =
        [TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8)];

    public static string UnavailableAnswer => $"{ErrorCodes.Unavailable}: the service is briefly unavailable; try again in a moment";

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
            throw new HubException(UnavailableAnswer);
        }
        catch (Exception e)
        {
            Log.HubMethodFailed(log, context.HubMethodName, e);
            throw;
        }
    }

    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await next(context);
                return;
            }
            catch (LiveHelpException e)
            {
                var answer = $"{e.Code}: {e.Message}";
                Log.Refused(log, Connecting, answer);
                throw new HubException(answer);
            }
            catch (HubException e)
            {
                Log.Refused(log, Connecting, e.Message);
                throw;
            }
            catch (Exception e) when (StoreFaults.IsTransient(e) && attempt < ConnectRetryDelays.Length)
            {
                if (attempt == 0)
                {
                    Log.ConnectWaitsForStore(log, context.Context.ConnectionId, e.Message);
                }
                // A client that leaves meanwhile ends the wait, and with it the connection, with nothing to undo.
                await Task.Delay(ConnectRetryDelays[attempt], context.Context.ConnectionAborted);
            }
            catch (Exception e) when (StoreFaults.IsTransient(e))
            {
                Log.StoreUnavailable(log, Connecting, e.Message);
                throw new HubException(UnavailableAnswer);
            }
            catch (Exception e)
            {
                Log.HubMethodFailed(log, Connecting, e);
                throw;
            }
        }
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        try
        {
            await next(context, exception);
        }
        catch (Exception e) when (StoreFaults.IsTransient(e))
        {
            Log.StoreUnavailable(log, "OnDisconnectedAsync", e.Message);
            throw;
        }
        catch (Exception e)
        {
            Log.HubMethodFailed(log, "OnDisconnectedAsync", e);
            throw;
        }
    }
}
