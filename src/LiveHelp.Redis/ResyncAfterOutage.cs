using LiveHelp.Core.Contracts;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LiveHelp.Redis;

/// <summary>
/// Messages published while Redis was away may not have reached other nodes' clients. They are stored, so once this
/// node's pub/sub delivers again every client, here and on the other nodes, is told to fetch its open conversations
/// again (<see cref="IHelpClient.resync"/>). Each node does this after its own reconnect, so a message one node stored
/// while cut off is fetched too. The official backplane only logs a reconnect; this is the part it lacks.
/// </summary>
public sealed partial class ResyncAfterOutage<THub>(RedisConnection redis, IHubContext<THub, IHelpClient> hub, ILogger<ResyncAfterOutage<THub>> log) : IHostedService
    where THub : Hub<IHelpClient>
{
    // Long enough for any reconnect StackExchange.Redis manages by itself; a node still cut off after that resyncs on its next reconnect.
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(250);
    private readonly RedisHealthCheck _delivery = new(redis);
    private readonly CancellationTokenSource _stopping = new();
    private int _waiting;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        redis.ConnectionChanged += OnChanged;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        redis.ConnectionChanged -= OnChanged;
        _stopping.Cancel();
        return Task.CompletedTask;
    }

    private async void OnChanged(object? sender, bool connected)
    {
        // One wait at a time: the interactive and the pub/sub link each report their return.
        if (!connected || Interlocked.Exchange(ref _waiting, 1) == 1)
        {
            return;
        }
        try
        {
            // Not a fixed delay: the resync must come after the replayed subscriptions are live, however slow the node is.
            var deadline = DateTime.UtcNow + GiveUpAfter;
            while (!await _delivery.DeliversAsync(_stopping.Token))
            {
                if (DateTime.UtcNow > deadline)
                {
                    return;
                }
                await Task.Delay(ProbeInterval, _stopping.Token);
            }
            Resyncing(log);
            await hub.Clients.All.resync();
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            ResyncFailed(log, e);
        }
        finally
        {
            Volatile.Write(ref _waiting, 0);
        }
    }

    [LoggerMessage(217, LogLevel.Information, "Redis is back: telling clients to resync")]
    private static partial void Resyncing(ILogger logger);

    [LoggerMessage(218, LogLevel.Warning, "Telling clients to resync after a Redis outage failed; they fetch what they missed at their next reconnect")]
    private static partial void ResyncFailed(ILogger logger, Exception exception);
}
