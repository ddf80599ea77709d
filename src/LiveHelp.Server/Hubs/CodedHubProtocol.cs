using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using LiveHelp.Core;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace LiveHelp.Server.Hubs;

/// <summary>
/// A SignalR hub protocol (JSON or MessagePack), except for the answers SignalR itself gives to a call that never
/// reaches the hub: arguments that cannot be bound (wrong type, wrong count, a lone surrogate, a number out of range),
/// an unknown method, a stream invocation of a method that returns one answer. SignalR answers those "Failed to invoke
/// 'X' due to an error on the server." without a code, past every hub filter; they go out as "invalid_input: ..." like
/// every other refusal, whatever the protocol. And a connection closed because the store could not be reached while it
/// connected (see <see cref="ErrorCodeFilter"/>) tells clients they may reconnect, which SignalR never does for a
/// failed connect.
/// </summary>
internal sealed class CodedHubProtocol(IHubProtocol inner) : IHubProtocol
{
    private const string BindingFailure = "Failed to invoke '";
    private const string BindingFailureEnd = "' due to an error on the server.";
    private const string UnknownMethod = "Unknown hub method '";
    private const string WrongInvocationKind = "The client attempted to invoke the non-streaming '";

    public string Name => inner.Name;

    public int Version => inner.Version;

    public TransferFormat TransferFormat => inner.TransferFormat;

    /// <summary>Takes the place of each protocol registered so far (AddSignalR's JSON, AddMessagePackProtocol's), under the same name.</summary>
    public static void Register(IServiceCollection services)
    {
        foreach (var protocol in services.Where(d => d.ServiceType == typeof(IHubProtocol) && d.ImplementationType is not null).ToList())
        {
            var type = protocol.ImplementationType!;
            services.Remove(protocol);
            services.AddSingleton<IHubProtocol>(provider => new CodedHubProtocol((IHubProtocol)ActivatorUtilities.CreateInstance(provider, type)));
        }
    }

    public bool IsVersionSupported(int version) => inner.IsVersionSupported(version);

    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message) =>
        inner.TryParseMessage(ref input, binder, out message);

    public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => inner.WriteMessage(Coded(message), output);

    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => inner.GetMessageBytes(Coded(message));

    private static HubMessage Coded(HubMessage message) => message switch
    {
        CompletionMessage { Error: { } error, InvocationId: { } id } completion when Refusal(error) is { } refusal =>
            new CompletionMessage(id, refusal, result: null, hasResult: false) { Headers = completion.Headers },
        CloseMessage { Error: { } error, AllowReconnect: false } when error.EndsWith(StoreUnavailableClose, StringComparison.Ordinal) =>
            new CloseMessage(error, allowReconnect: true),
        _ => message,
    };

    /// <summary>How SignalR words a close for a HubException from OnConnectedAsync, here the store's "unavailable".</summary>
    private static string StoreUnavailableClose => $"{nameof(HubException)}: {ErrorCodeFilter.UnavailableAnswer}";

    private static string? Refusal(string error)
    {
        if (error.StartsWith(BindingFailure, StringComparison.Ordinal)
            && error.IndexOf(BindingFailureEnd, BindingFailure.Length, StringComparison.Ordinal) is var end and > 0)
        {
            return $"{ErrorCodes.InvalidInput}: the hub method '{error[BindingFailure.Length..end]}' cannot be called with these arguments";
        }
        if (error.StartsWith(UnknownMethod, StringComparison.Ordinal) && error.EndsWith('\''))
        {
            return $"{ErrorCodes.InvalidInput}: there is no hub method '{error[UnknownMethod.Length..^1]}'";
        }
        if (error.StartsWith(WrongInvocationKind, StringComparison.Ordinal) && error.IndexOf('\'', WrongInvocationKind.Length) is var quote and > 0)
        {
            return $"{ErrorCodes.InvalidInput}: the hub method '{error[WrongInvocationKind.Length..quote]}' returns one answer, not a stream";
        }
        return null;
    }
}
