using System.Diagnostics;

namespace LiveHelp.Benchmarks;

/// <summary>
/// Latency samples in Stopwatch ticks, recorded from many threads without allocating per sample (a preallocated
/// array; samples past its end are counted but not kept).
/// </summary>
internal sealed class Latencies(int capacity)
{
    private readonly long[] _ticks = new long[capacity];
    private int _count;

    public int Count => Math.Min(Volatile.Read(ref _count), _ticks.Length);

    public void Add(long ticks)
    {
        var slot = Interlocked.Increment(ref _count) - 1;
        if (slot < _ticks.Length)
        {
            _ticks[slot] = ticks;
        }
    }

    /// <summary>Records the time since <paramref name="stamp"/> (a <see cref="Stopwatch.GetTimestamp"/>).</summary>
    public void Since(long stamp) => Add(Stopwatch.GetTimestamp() - stamp);

    public Summary Summarize()
    {
        var count = Count;
        var sorted = _ticks.AsSpan(0, count).ToArray();
        Array.Sort(sorted);
        double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
        double At(double q) => count == 0 ? double.NaN : Ms(sorted[Math.Min(count - 1, (int)Math.Ceiling(q * count) - 1)]);
        return new Summary(count, At(0.50), At(0.95), At(0.99), count == 0 ? double.NaN : Ms(sorted[^1]));
    }

    /// <summary>Milliseconds.</summary>
    public readonly record struct Summary(int Count, double P50, double P95, double P99, double Max);
}
