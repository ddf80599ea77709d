using LiveHelp.Core;
using LiveHelp.Core.Contracts;

namespace LiveHelp.Client;

/// <summary>
/// The one-tap help button of a device app: <see cref="MaydayAsync"/> gets a visitor token, connects and asks for a
/// call in one step. Attach handlers to <see cref="Customer"/> first to hear about the queue and the agent.
/// </summary>
public sealed class DeviceClient(Uri baseUri, HubConnectionOptions? options = null) : IAsyncDisposable
{
    public CustomerClient Customer { get; } = new(baseUri, options);

    public async Task<RequestHelpResult> MaydayAsync(DeviceInfo device, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (Customer.State == HubConnectionState.Disconnected)
        {
            await Customer.StartAsync(device.Identity, device.VisitorToken, cancellationToken).ConfigureAwait(false);
        }
        var input = new RequestHelpInput
        {
            Topic = string.IsNullOrWhiteSpace(device.Topic) ? "device" : device.Topic,
            Mode = HelpMode.Mayday,
            Details = device.Details,
            Name = device.Identity?.Name,
            Email = device.Identity?.Email,
            DeviceModel = device.Model,
            DeviceOs = device.Os,
            AppVersion = device.AppVersion,
        };
        return await Customer.RequestHelpAsync(input, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => Customer.DisposeAsync();
}
