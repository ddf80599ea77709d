namespace LiveHelp.Server.Hubs;

/// <summary>A token bucket per connection: <c>burst</c> messages at once, refilled at <c>perSecond</c>.</summary>
internal sealed class MessageRate(double perSecond, int burst, TimeProvider clock)
{
    private readonly Lock _gate = new();
    private double _tokens = burst;
    private long _last = clock.GetTimestamp();

    public bool TryTake()
    {
        lock (_gate)
        {
            var now = clock.GetTimestamp();
            _tokens = Math.Min(burst, _tokens + (clock.GetElapsedTime(_last, now).TotalSeconds * perSecond));
            _last = now;
            if (_tokens < 1)
            {
                return false;
            }
            _tokens -= 1;
            return true;
        }
    }
}
