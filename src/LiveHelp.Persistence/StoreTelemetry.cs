using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace LiveHelp.Persistence;

/// <summary>
/// How long each store call takes (<c>livehelp.store.duration</c>, in seconds, by store kind and operation) and a span
/// per call, both named <see cref="Name"/>. Plain .NET instruments, so the stores stay free of any telemetry package;
/// the host decides whether to listen.
/// </summary>
public static class StoreTelemetry
{
    public const string Name = "LiveHelp.Store";

    internal const string Sqlite = "sqlite";
    internal const string Postgres = "postgresql";

    private static readonly Meter Meter = new(Name);
    private static readonly ActivitySource Source = new(Name);

    // Store calls take milliseconds: the default buckets (from 5 seconds up) would put them all in the first one.
    private static readonly Histogram<double> Duration = Meter.CreateHistogram(
        "livehelp.store.duration", "s", "How long one store call took",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });

    /// <summary>Starts timing one store call; costs nothing beyond a check when nobody listens.</summary>
    internal static StoreCall Start(string kind, [CallerMemberName] string operation = "")
    {
        var measured = Duration.Enabled;
        var span = Source.HasListeners() ? Source.StartActivity($"store {operation}", ActivityKind.Client) : null;
        span?.SetTag("db.system.name", kind);
        span?.SetTag("livehelp.store.operation", operation);
        return new StoreCall(kind, operation, measured ? Stopwatch.GetTimestamp() : 0, span);
    }

    internal readonly struct StoreCall(string kind, string operation, long started, Activity? span) : IDisposable
    {
        public void Dispose()
        {
            span?.Dispose();
            if (started != 0)
            {
                Duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds,
                    new KeyValuePair<string, object?>("store", kind), new KeyValuePair<string, object?>("operation", operation));
            }
        }
    }
}
