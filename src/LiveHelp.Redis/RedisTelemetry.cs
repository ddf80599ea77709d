using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace LiveHelp.Redis;

/// <summary>
/// Redis latency as this node sees it (<c>livehelp.redis.duration</c>, in seconds): StackExchange.Redis has no
/// instruments of its own. Plain .NET instruments under <see cref="Name"/>; the host decides whether to listen.
/// </summary>
public static class RedisTelemetry
{
    public const string Name = "LiveHelp.Redis";

    private static readonly Meter Meter = new(Name);

    // Round trips take milliseconds: the default buckets (from 5 seconds up) would put them all in the first one.
    private static readonly Histogram<double> Duration = Meter.CreateHistogram(
        "livehelp.redis.duration", "s", "How long a round trip to Redis took",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2] });

    /// <summary>Records a round trip that began at <paramref name="started"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    internal static void Record(string operation, long started) =>
        Duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("operation", operation));
}
