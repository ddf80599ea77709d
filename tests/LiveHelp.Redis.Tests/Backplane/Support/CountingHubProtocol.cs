using System.Buffers;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace LiveHelp.Redis.Tests.Backplane.Support;

/// <summary>The JSON hub protocol, counting how many times a message is serialized.</summary>
public sealed class CountingHubProtocol : IHubProtocol
{
    private readonly JsonHubProtocol _json = new();
    private int _serializations;

    public int Serializations => Volatile.Read(ref _serializations);

    public string Name => _json.Name;

    public int Version => _json.Version;

    public TransferFormat TransferFormat => _json.TransferFormat;

    public bool IsVersionSupported(int version) => _json.IsVersionSupported(version);

    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out HubMessage? message) =>
        _json.TryParseMessage(ref input, binder, out message);

    public void WriteMessage(HubMessage message, IBufferWriter<byte> output)
    {
        Interlocked.Increment(ref _serializations);
        _json.WriteMessage(message, output);
    }

    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message)
    {
        Interlocked.Increment(ref _serializations);
        return _json.GetMessageBytes(message);
    }
}

/// <summary>Resolves exactly the given protocol, as a server configured with only that protocol would.</summary>
public sealed class SingleProtocolResolver(IHubProtocol protocol) : IHubProtocolResolver
{
    public IReadOnlyList<IHubProtocol> AllProtocols { get; } = [protocol];

    public IHubProtocol? GetProtocol(string protocolName, IReadOnlyList<string>? supportedProtocols) =>
        protocolName == protocol.Name ? protocol : null;
}
