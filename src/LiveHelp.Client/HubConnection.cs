using System.Net;
using System.Net.WebSockets;
using LiveHelp.Client.Internal;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Official = Microsoft.AspNetCore.SignalR.Client;

namespace LiveHelp.Client;

/// <summary>
/// The official SignalR .NET client (WebSockets, MessagePack by default) with what LiveHelp clients rely on added:
/// event handlers run one at a time in the order the server sent the events, on the same queue as the connection's own
/// events; a connection attempt is bounded by <see cref="HubConnectionOptions.ConnectTimeout"/>, also at start;
/// reconnecting stops on a refused token (401/403); failures come out as LiveHelp exceptions.
/// </summary>
public sealed class HubConnection : IAsyncDisposable
{
    private const string ServerClosePrefix = "The server closed the connection";

    private readonly HubConnectionOptions _options;
    private readonly Official.HubConnection _hub;
    private readonly EventQueue _events;
    private readonly ReconnectPolicy _policy;
    private readonly object _gate = new();
    private TaskCompletionSource _stateChanged = NewSignal();
    private long _connectionNumber;
    private volatile bool _starting;
    private volatile bool _stopping;
    private string? _token;

    public HubConnection(Uri hubUrl, HubConnectionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(hubUrl);
        HubUrl = hubUrl;
        _options = (options ?? new HubConnectionOptions()).Clone();
        _options.Validate();
        _events = new EventQueue(ex => ReportHandlerFailure("(event queue)", ex));
        _policy = new ReconnectPolicy(_options);

        var builder = new HubConnectionBuilder().WithUrl(hubUrl, http =>
        {
            http.Transports = HttpTransportType.WebSockets;
            http.SkipNegotiation = _options.SkipNegotiation;
            http.AccessTokenProvider = FetchTokenAsync;
            // Negotiate is the only HTTP request; a node that takes it and never answers must not hold the attempt.
            http.HttpMessageHandlerFactory = inner => new AttemptTimeout(_options.ConnectTimeout) { InnerHandler = inner };
            http.WebSocketFactory = OpenWebSocketAsync;
        });
        if (_options.Format == HubWireFormat.Json)
        {
            builder.AddJsonProtocol(json => json.PayloadSerializerOptions = _options.JsonOptions);
        }
        else
        {
            builder.AddMessagePackProtocol();
        }
        if (_options.AutomaticReconnect)
        {
            builder.WithAutomaticReconnect(_policy);
        }
        _hub = builder.Build();
        _hub.ServerTimeout = _options.ServerTimeout;
        _hub.KeepAliveInterval = _options.KeepAliveInterval;
        _hub.HandshakeTimeout = _options.ConnectTimeout;
        _hub.Reconnecting += OnReconnecting;
        _hub.Reconnected += OnReconnected;
        _hub.Closed += OnClosed;
    }

    public Uri HubUrl { get; }

    public HubConnectionState State => _starting ? HubConnectionState.Connecting : _hub.State switch
    {
        Official.HubConnectionState.Connected => HubConnectionState.Connected,
        Official.HubConnectionState.Connecting => HubConnectionState.Connecting,
        Official.HubConnectionState.Reconnecting => HubConnectionState.Reconnecting,
        _ => HubConnectionState.Disconnected,
    };

    /// <summary>The server's id for the current connection; changes on every reconnect. Null with SkipNegotiation.</summary>
    public string? ConnectionId => _hub.ConnectionId;

    /// <summary>The connection dropped; the argument says why. Calls fail until <see cref="Reconnected"/>.</summary>
    public event Func<Exception?, Task>? Reconnecting;

    /// <summary>A new connection is up; the argument is its connection id.</summary>
    public event Func<string?, Task>? Reconnected;

    /// <summary>The connection is over: stopped (null), refused by the server, or reconnecting gave up.</summary>
    public event Func<Exception?, Task>? Closed;

    /// <summary>
    /// Connects. An attempt that timed out (a node that accepts connections but never answers) is tried again as a
    /// reconnect would be, since the next one may reach another node; any other failure is the caller's.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_hub.State != Official.HubConnectionState.Disconnected || _starting)
        {
            throw new InvalidOperationException($"The connection cannot be started while it is {State}.");
        }
        _starting = true;
        _stopping = false;
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    await _hub.StartAsync(cancellationToken).ConfigureAwait(false);
                    break;
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested && Find<TimeoutException>(ex) is not null
                    && _options.AutomaticReconnect && (_options.MaxReconnectAttempts is not { } max || attempt < max))
                {
                    await Task.Delay(_options.ReconnectDelay(attempt), cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    throw Translate(ex);
                }
            }
        }
        finally
        {
            _starting = false;
        }
        NewConnection();
    }

    /// <summary>Closes the connection without reconnecting; pending calls fail. <see cref="Closed"/> is raised with null.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        _stopping = true;
        await _hub.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        await _hub.DisposeAsync().ConfigureAwait(false);
        _events.Complete();
    }

    /// <summary>Calls a hub method and waits for its result.</summary>
    public Task<T> InvokeCoreAsync<T>(string methodName, IReadOnlyList<object?> arguments, CancellationToken cancellationToken = default) =>
        CallAsync(() => _hub.InvokeCoreAsync<T>(methodName, [.. arguments], cancellationToken), cancellationToken);

    /// <summary>Calls a hub method and waits for it to finish, ignoring any result.</summary>
    public Task InvokeCoreAsync(string methodName, IReadOnlyList<object?> arguments, CancellationToken cancellationToken = default) =>
        CallAsync(() => _hub.InvokeCoreAsync(methodName, [.. arguments], cancellationToken), cancellationToken);

    /// <summary>Calls a hub method without waiting for (or learning of) its outcome.</summary>
    public Task SendCoreAsync(string methodName, IReadOnlyList<object?> arguments, CancellationToken cancellationToken = default) =>
        CallAsync(() => _hub.SendCoreAsync(methodName, [.. arguments], cancellationToken), cancellationToken);

    public Task<T> InvokeAsync<T>(string methodName, CancellationToken cancellationToken = default) =>
        InvokeCoreAsync<T>(methodName, [], cancellationToken);

    public Task<T> InvokeAsync<T>(string methodName, object? arg1, CancellationToken cancellationToken = default) =>
        InvokeCoreAsync<T>(methodName, [arg1], cancellationToken);

    public Task<T> InvokeAsync<T>(string methodName, object? arg1, object? arg2, CancellationToken cancellationToken = default) =>
        InvokeCoreAsync<T>(methodName, [arg1, arg2], cancellationToken);

    public Task<T> InvokeAsync<T>(string methodName, object? arg1, object? arg2, object? arg3, CancellationToken cancellationToken = default) =>
        InvokeCoreAsync<T>(methodName, [arg1, arg2, arg3], cancellationToken);

    public Task InvokeAsync(string methodName, CancellationToken cancellationToken = default) =>
        InvokeCoreAsync(methodName, [], cancellationToken);

    public Task InvokeAsync(string methodName, object? arg1, CancellationToken cancellationToken = default) =>
        InvokeCoreAsync(methodName, [arg1], cancellationToken);

    public Task InvokeAsync(string methodName, object? arg1, object? arg2, CancellationToken cancellationToken = default) =>
        InvokeCoreAsync(methodName, [arg1, arg2], cancellationToken);

    public Task InvokeAsync(string methodName, object? arg1, object? arg2, object? arg3, CancellationToken cancellationToken = default) =>
        InvokeCoreAsync(methodName, [arg1, arg2, arg3], cancellationToken);

    public Task SendAsync(string methodName, CancellationToken cancellationToken = default) =>
        SendCoreAsync(methodName, [], cancellationToken);

    public Task SendAsync(string methodName, object? arg1, CancellationToken cancellationToken = default) =>
        SendCoreAsync(methodName, [arg1], cancellationToken);

    public Task SendAsync(string methodName, object? arg1, object? arg2, CancellationToken cancellationToken = default) =>
        SendCoreAsync(methodName, [arg1, arg2], cancellationToken);

    public Task SendAsync(string methodName, object? arg1, object? arg2, object? arg3, CancellationToken cancellationToken = default) =>
        SendCoreAsync(methodName, [arg1, arg2, arg3], cancellationToken);

    /// <summary>Handles an event the server sends with one argument. Dispose the result to stop handling it.</summary>
    public IDisposable On<T>(string eventName, Action<T> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return On<T>(eventName, argument =>
        {
            handler(argument);
            return Task.CompletedTask;
        });
    }

    /// <summary>Handles an event the server sends with one argument; the next event waits for the returned task.</summary>
    public IDisposable On<T>(string eventName, Func<T, Task> handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventName);
        ArgumentNullException.ThrowIfNull(handler);
        return _hub.On<T>(eventName, argument => Queue(eventName, () => handler(argument)));
    }

    /// <summary>Handles an event that carries no arguments.</summary>
    public IDisposable On(string eventName, Func<Task> handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventName);
        ArgumentNullException.ThrowIfNull(handler);
        return _hub.On(eventName, () => Queue(eventName, handler));
    }

    /// <summary>Queues work behind the events received so far, on the same ordered queue as event handlers.</summary>
    internal void Post(Func<Task> work) => _events.Post(work);

    /// <summary>A number that changes with every new connection; see <see cref="WaitForNewConnectionAsync"/>.</summary>
    internal long ConnectionNumber => Interlocked.Read(ref _connectionNumber);

    /// <summary>Waits until a connection newer than <paramref name="after"/> is up; throws once the connection is closed.</summary>
    internal async Task WaitForNewConnectionAsync(long after, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                changed = _stateChanged.Task;
            }
            var state = State;
            if (state == HubConnectionState.Connected && ConnectionNumber > after)
            {
                return;
            }
            if (state == HubConnectionState.Disconnected)
            {
                throw new LiveHelpConnectionException("The connection is closed.", allowReconnect: false);
            }
            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Runs a call; a refusal becomes a <see cref="LiveHelpHubException"/>, a lost connection a <see cref="LiveHelpConnectionException"/>.</summary>
    private Task CallAsync(Func<Task> call, CancellationToken ct) => CallAsync(async () =>
    {
        await call().ConfigureAwait(false);
        return true;
    }, ct);

    private async Task<T> CallAsync<T>(Func<Task<T>> call, CancellationToken ct)
    {
        switch (State)
        {
            case HubConnectionState.Disconnected:
                throw new InvalidOperationException("The connection is not started.");
            case not HubConnectionState.Connected:
                throw new LiveHelpConnectionException($"The connection is not connected ({State}).");
        }
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (HubException ex) when (!IsServerClose(ex))
        {
            throw LiveHelpHubException.FromServerError(ex.Message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            throw ex is ArgumentException or NotSupportedException ? ex : Translate(ex);
        }
    }

    private Task Queue(string eventName, Func<Task> handler)
    {
        _events.Post(async () =>
        {
            try
            {
                await handler().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                ReportHandlerFailure(eventName, ex);
            }
        });
        return Task.CompletedTask;
    }

    private async Task<string?> FetchTokenAsync()
    {
        var token = _options.AccessTokenProvider is { } provider ? await provider().ConfigureAwait(false) : null;
        Volatile.Write(ref _token, token);
        return token;
    }

    /// <summary>
    /// Opens the WebSocket as the official client would, within the connect timeout, with the token that negotiate
    /// used (fetched here when negotiation is skipped); a refused upgrade carries its HTTP status.
    /// </summary>
    private async ValueTask<WebSocket> OpenWebSocketAsync(WebSocketConnectionContext context, CancellationToken ct)
    {
        var token = _options.SkipNegotiation ? await FetchTokenAsync().ConfigureAwait(false) : Volatile.Read(ref _token);
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (!string.IsNullOrEmpty(token))
        {
            socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
        }
        _options.ConfigureWebSocket?.Invoke(socket.Options);
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
        attempt.CancelAfter(_options.ConnectTimeout);
        try
        {
            await socket.ConnectAsync(context.Uri, attempt.Token).ConfigureAwait(false);
            return socket;
        }
        catch (Exception ex)
        {
            var status = socket.HttpStatusCode;
            socket.Dispose();
            if (attempt.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                throw new TimeoutException($"The server did not answer within the connect timeout ({_options.ConnectTimeout}).", ex);
            }
            if (status is not 0 and not HttpStatusCode.SwitchingProtocols)
            {
                throw new HttpRequestException($"The WebSocket upgrade was answered {(int)status}.", ex, status);
            }
            throw;
        }
    }

    private void NewConnection()
    {
        Interlocked.Increment(ref _connectionNumber);
        Signal();
    }

    private void Signal()
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            changed = _stateChanged;
            _stateChanged = NewSignal();
        }
        changed.TrySetResult();
    }

    private Task OnReconnecting(Exception? error)
    {
        _policy.Reset();
        Signal();
        var reason = error is null ? null : Translate(error);
        _events.Post(() => RaiseAsync(nameof(Reconnecting), Reconnecting, reason));
        return Task.CompletedTask;
    }

    private Task OnReconnected(string? connectionId)
    {
        _policy.Reset();
        NewConnection();
        _events.Post(() => RaiseAsync(nameof(Reconnected), Reconnected, connectionId));
        return Task.CompletedTask;
    }

    private Task OnClosed(Exception? error)
    {
        Signal();
        // Giving up reconnecting is reported by the official client as a cancellation; the last attempt's error says
        // why. Null is kept for a stop: a bare close from the server (a hub's Context.Abort()) says so.
        var reason = _stopping ? null : _policy.LastError ?? error;
        var closed = _stopping ? null
            : reason is null ? new LiveHelpConnectionException("The server closed the connection.", allowReconnect: false)
            : Translate(reason, finalClose: _options.AutomaticReconnect);
        _events.Post(() => RaiseAsync(nameof(Closed), Closed, closed));
        return Task.CompletedTask;
    }

    /// <summary>What the caller sees of a connection failure.</summary>
    private static Exception Translate(Exception error, bool finalClose = false)
    {
        if (error is LiveHelpConnectionException or LiveHelpApiException)
        {
            return error;
        }
        if (Find<HttpRequestException>(error) is { StatusCode: { } status } refused)
        {
            return ProblemDetailsReader.FromStatus(status, refused.Message);
        }
        if (error is HubException closedByServer && IsServerClose(closedByServer))
        {
            // "The server closed the connection with the following error: X"; without allowReconnect it is final.
            var text = closedByServer.Message;
            var colon = text.IndexOf(": ", StringComparison.Ordinal);
            return new LiveHelpConnectionException(text, error, colon < 0 ? text : text[(colon + 2)..], allowReconnect: !finalClose);
        }
        var timeout = Find<TimeoutException>(error);
        return new LiveHelpConnectionException(error.Message, timeout ?? error);
    }

    /// <summary>The official client fails pending calls with the server's close message as a HubException.</summary>
    private static bool IsServerClose(HubException error) => error.Message.StartsWith(ServerClosePrefix, StringComparison.Ordinal);

    private static T? Find<T>(Exception? error)
        where T : Exception
    {
        for (; error is not null; error = error.InnerException)
        {
            if (error is T found)
            {
                return found;
            }
            if (error is AggregateException aggregate)
            {
                return aggregate.InnerExceptions.Select(Find<T>).FirstOrDefault(e => e is not null);
            }
        }
        return null;
    }

    private async Task RaiseAsync<TArg>(string eventName, Func<TArg, Task>? handlers, TArg argument)
    {
        if (handlers is null)
        {
            return;
        }
        foreach (var handler in handlers.GetInvocationList().Cast<Func<TArg, Task>>())
        {
            try
            {
                await handler(argument).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                ReportHandlerFailure(eventName, ex);
            }
        }
    }

    private void ReportHandlerFailure(string eventName, Exception ex)
    {
        try
        {
            _options.HandlerFailed?.Invoke(eventName, ex);
        }
        catch (Exception)
        {
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// The reconnect delays of the options, up to MaxReconnectAttempts; a refused token (401/403) ends reconnecting at
    /// once, since it will not get better by retrying.
    /// </summary>
    private sealed class ReconnectPolicy(HubConnectionOptions options) : IRetryPolicy
    {
        private Exception? _lastError;

        public Exception? LastError => Volatile.Read(ref _lastError);

        public void Reset() => Volatile.Write(ref _lastError, null);

        public TimeSpan? NextRetryDelay(RetryContext retryContext)
        {
            if (retryContext.PreviousRetryCount > 0)
            {
                Volatile.Write(ref _lastError, retryContext.RetryReason);
                if (Find<HttpRequestException>(retryContext.RetryReason) is { StatusCode: HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden })
                {
                    return null;
                }
            }
            if (options.MaxReconnectAttempts is { } max && retryContext.PreviousRetryCount >= max)
            {
                return null;
            }
            return options.ReconnectDelay((int)Math.Min(retryContext.PreviousRetryCount, int.MaxValue));
        }
    }

    /// <summary>Gives each HTTP request of a connection attempt (negotiate) the connect timeout.</summary>
    private sealed class AttemptTimeout(TimeSpan timeout) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(timeout);
            try
            {
                return await base.SendAsync(request, attempt.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"The server did not answer within the connect timeout ({timeout}).", ex);
            }
        }
    }
}
