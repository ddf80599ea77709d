using System.Threading.Channels;

namespace LiveHelp.Client.Internal;

/// <summary>Runs event handlers one at a time, in arrival order, away from the receive loop.</summary>
internal sealed class EventQueue
{
    private readonly Channel<Func<Task>> _channel =
        Channel.CreateUnbounded<Func<Task>>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });
    private readonly Action<Exception> _onError;

    public EventQueue(Action<Exception> onError)
    {
        _onError = onError;
        _ = Task.Run(RunAsync);
    }

    public bool Post(Func<Task> work) => _channel.Writer.TryWrite(work);

    public void Complete() => _channel.Writer.TryComplete();

    private async Task RunAsync()
    {
        await foreach (var work in _channel.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                await work().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                _onError(ex);
            }
        }
    }
}
