using Microsoft.Extensions.Options;

namespace LiveHelp.Server.Help;

/// <summary>Runs the clocks that live in the routing store (offer deadlines, grace periods, customers gone) on this node.</summary>
internal sealed class RoutingClock(HelpQueue queue, Presence presence, IOptions<LiveHelpOptions> options, ILogger<RoutingClock> log, Telemetry.LiveHelpMetrics metrics) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ClockInterval);
        var outage = new StoreOutageLog(log, "The routing clock");
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await outage.RunAsync(async () =>
            {
                await queue.TickAsync();
                await presence.TickAsync();
            }, e =>
            {
                Log.ClockFailed(log, e);
                metrics.RoutingFailed();
            });
        }
    }
}
