using LiveHelp.Core;
using LiveHelp.Persistence;

namespace LiveHelp.Server;

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Help requested: conversation {ConversationId}, topic {Topic}, mode {Mode}")]
    public static partial void HelpRequested(ILogger logger, string conversationId, string topic, HelpMode mode);

    [LoggerMessage(2, LogLevel.Information, "Conversation {ConversationId} assigned to agent {AgentId}")]
    public static partial void Assigned(ILogger logger, string conversationId, string agentId);

    [LoggerMessage(3, LogLevel.Information, "Offer of {ConversationId} to agent {AgentId} lapsed; agent set away")]
    public static partial void OfferLapsed(ILogger logger, string conversationId, string agentId);

    [LoggerMessage(4, LogLevel.Warning, "Agent {AgentId} stayed away past the grace period; {Count} conversations go back to the queue")]
    public static partial void AgentLost(ILogger logger, string agentId, int count);

    [LoggerMessage(5, LogLevel.Warning, "First admin created on {Url}: sign in as 'admin' with password {Password}")]
    public static partial void AdminCreated(ILogger logger, string url, string password);

    [LoggerMessage(6, LogLevel.Information, "Node {NodeId} was silent too long: the connections of {Agents} agents on it were taken away")]
    public static partial void NodeReaped(ILogger logger, string nodeId, int agents);

    [LoggerMessage(25, LogLevel.Information, "Conversation {ConversationId} closed: its customer left and did not come back")]
    public static partial void ClosedAbandoned(ILogger logger, string conversationId);

    [LoggerMessage(9, LogLevel.Warning, "Conversation {ConversationId} was queued in the store but not in routing: queued again")]
    public static partial void Reinstated(ILogger logger, string conversationId);

    [LoggerMessage(7, LogLevel.Error, "The routing clock failed; it will run again")]
    public static partial void ClockFailed(ILogger logger, Exception exception);

    [LoggerMessage(11, LogLevel.Warning, "{Work} waits: the store cannot be reached ({Reason}); it is tried again on every tick")]
    public static partial void StoreOutageStarted(ILogger logger, string work, string reason);

    [LoggerMessage(12, LogLevel.Information, "{Work} runs again: the store is back")]
    public static partial void StoreOutageEnded(ILogger logger, string work);

    [LoggerMessage(8, LogLevel.Warning, "Live delivery of {Event} for conversation {ConversationId} failed; clients will resync")]
    public static partial void DeliveryDeferred(ILogger logger, string conversationId, string @event, Exception exception);

    [LoggerMessage(10, LogLevel.Warning, "Telling queued customers their places failed; the next routing step tells them")]
    public static partial void PlacesFailed(ILogger logger, Exception exception);

    // Refusals are answers to the caller, not faults of the server: Debug only, so a flood of bad calls writes nothing by default.
    [LoggerMessage(20, LogLevel.Debug, "Refused {Method}: {Answer}")]
    public static partial void Refused(ILogger logger, string method, string answer);

    [LoggerMessage(21, LogLevel.Warning, "{Operation} answered 'unavailable': the store could not be reached ({Reason})")]
    public static partial void StoreUnavailable(ILogger logger, string operation, string reason);

    [LoggerMessage(24, LogLevel.Warning, "Node {NodeId} could not renew its heartbeat")]
    public static partial void HeartbeatFailed(ILogger logger, string nodeId, Exception exception);

    [LoggerMessage(23, LogLevel.Warning, "Connection {ConnectionId} waits for the store, which could not be reached ({Reason}); its connect is tried again")]
    public static partial void ConnectWaitsForStore(ILogger logger, string connectionId, string reason);

    [LoggerMessage(26, LogLevel.Error, "Matching the queue failed; the clock matches again on its next tick")]
    public static partial void MatchFailed(ILogger logger, Exception exception);

    [LoggerMessage(22, LogLevel.Error, "Hub method {Method} failed")]
    public static partial void HubMethodFailed(ILogger logger, string method, Exception exception);
}

/// <summary>
/// What a timer logs of a store outage (<see cref="StoreFaults.IsTransient"/>): a Warning without a stack when its first
/// tick fails, Information when a tick succeeds again, nothing on the ticks between. Other failures are the caller's to log.
/// </summary>
internal sealed class StoreOutageLog(ILogger logger, string work)
{
    private bool _down;

    /// <summary>Runs one tick; a failure other than the store being out of reach goes to <paramref name="failed"/>.</summary>
    public async Task RunAsync(Func<Task> tick, Action<Exception> failed)
    {
        try
        {
            await tick();
            if (_down)
            {
                _down = false;
                Log.StoreOutageEnded(logger, work);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            if (!StoreFaults.IsTransient(e))
            {
                failed(e);
            }
            else if (!_down)
            {
                _down = true;
                Log.StoreOutageStarted(logger, work, e.Message);
            }
        }
    }
}
