namespace LiveHelp.Core.Tests;

internal static class Race
{
    /// <summary>
    /// Runs <paramref name="count"/> attempts at the same moment, each starting on its own thread once all are ready,
    /// and returns their results in order.
    /// </summary>
    public static async Task<T[]> RunAsync<T>(int count, Func<int, Task<T>> attempt)
    {
        using var start = new Barrier(count);
        var attempts = Enumerable.Range(0, count)
            .Select(i => Task.Factory.StartNew(
                () =>
                {
                    start.SignalAndWait();
                    return attempt(i);
                },
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default).Unwrap())
            .ToArray();
        return await Task.WhenAll(attempts);
    }
}
