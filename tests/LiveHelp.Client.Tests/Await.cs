namespace LiveHelp.Client.Tests;

/// <summary>Waiting for something that will happen, with a bound so a broken client fails instead of hanging.</summary>
internal static class Await
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    public static Task<T> Within<T>(this Task<T> task) => task.WaitAsync(Patience);

    public static Task Within(this Task task) => task.WaitAsync(Patience);

    public static TaskCompletionSource<T> Signal<T>() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A signal that completes once <paramref name="count"/> items were added.</summary>
    public static (List<T> Items, Action<T> Add, Task Done) Collect<T>(int count)
    {
        var items = new List<T>();
        var done = Signal<bool>();
        return (items, item =>
        {
            lock (items)
            {
                items.Add(item);
                if (items.Count >= count)
                {
                    done.TrySetResult(true);
                }
            }
        }, done.Task);
    }
}
