using System.Text.Json;
using LiveHelp.Client.Internal;

namespace LiveHelp.Client;

/// <summary>
/// A SignalR connection speaking the JSON hub protocol over WebSockets, with keep-alive and automatic reconnect.
/// Event handlers run one at a time, in the order the server sent the events.
/// </summary>
public sealed class HubConnection : IAsyncDisposable
{
    private readonly HubConnectionOptions _options;
    private readonly HandlerRegistry _handlers = new();
    private readonly EventQueue _events;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private readonly object _stateGate = new();
    private HubConnectionState _state = HubConnectionState.Disconnected;
    private HubSession? _session;
    private long _sessionNumber;
    private TaskCompletionSource _stateChanged = NewSignal();
    private CancellationTokenSource? _lifetime;
    private Task? _running;
    private volatile bool _disposed;

    public HubConnection(Uri hubUrl, HubConnectionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(hubUrl);
        HubUrl = hubUrl;
        _options = (options ?? new HubConnectionOptions()).Clone();
        _options.Validate();
        _events = new EventQueue(ex => ReportHandlerFailure("(event queue)", ex));
    }

    public Uri HubUrl { get; }

    public HubConnectionState State
    {
        get
        {
            lock (_stateGate)
            {
                return _state;
            }
        }
    }

    /// <summary>The server's id for the current connection; changes on every reconnect. Null with SkipNegotiation.</summary>
    public string? ConnectionId
    {
        get
        {
            lock (_stateGate)
            {
                return _session?.ConnectionId;
            }
        }
    }

    /// <summary>The connection dropped; the argument says why. Calls fail until <see cref="Reconnected"/>.</summary>
    public event Func<Exception?, Task>? Reconnecting;

    /// <summary>A new connection is up; the argument is its connection id.</summary>
    public event Func<string?, Task>? Reconnected;

    /// <summary>The connection is over: stopped (null), refused by the server, or reconnecting gave up.</summary>
    public event Func<Exception?, Task>? Closed;

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (State != HubConnectionState.Disconnected)
            {
                throw new InvalidOperationException($"The connection cannot be started while it is {State}.");
            }
            var lifetime = new CancellationTokenSource();
            Volatile.Write(ref _lifetime, lifetime);
            SetState(HubConnectionState.Connecting, null);
            HubSession session;
            try
            {
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.Token);
                session = await ConnectFirstAsync(linked.Token).ConfigureAwait(false);
            }
            catch
            {
                SetState(HubConnectionState.Disconnected, null);
                throw;
            }
            SetState(HubConnectionState.Connected, session);
            _running = Task.Run(() => RunAsync(session, lifetime.Token));
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Closes the connection without reconnecting; pending calls fail. <see cref="Closed"/> is raised with null.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        Volatile.Read(ref _lifetime)?.Cancel();
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var running = _running;
            _running = null;
            if (running is not null)
            {
                await running.ConfigureAwait(false);
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        await StopAsync().ConfigureAwait(false);
        _events.Complete();
    }

    /// <summary>Calls a hub method and waits for its result.</summary>
    public async Task<T> InvokeCoreAsync<T>(string methodName, IReadOnlyList<object?> arguments, CancellationToken cancellationToken = default)
    {
        var result = await CurrentSession().InvokeAsync(methodName, arguments, cancellationToken).ConfigureAwait(false);
        return result is { ValueKind: not JsonValueKind.Null } element ? element.Deserialize<T>(_options.JsonOptions)! : default!;
    }

    /// <summary>Calls a hub method and waits for it to finish, ignoring any result.</summary>
    public Task InvokeCoreAsync(string methodName, IReadOnlyList<object?> arguments, CancellationToken cancellationToken = default) =>
        CurrentSession().InvokeAsync(methodName, arguments, cancellationToken);

    /// <summary>Calls a hub method without waiting for (or learning of) its outcome.</summary>
    public Task SendCoreAsync(string methodName, IReadOnlyList<object?> arguments, CancellationToken cancellationToken = default) =>
        CurrentSession().SendInvocationAsync(methodName, arguments, cancellationToken);

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
        return _handlers.Add(eventName, arguments => handler(ReadArgument<T>(arguments, 0)));
    }

    /// <summary>Handles an event whatever its arguments.</summary>
    public IDisposable On(string eventName, Func<Task> handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventName);
        ArgumentNullException.ThrowIfNull(handler);
        return _handlers.Add(eventName, _ => handler());
    }

    /// <summary>Queues work behind the events received so far, on the same ordered queue as event handlers.</summary>
    internal void Post(Func<Task> work) => _events.Post(work);

    /// <summary>A number that changes with every new connection; see <see cref="WaitForNewConnectionAsync"/>.</summary>
    internal long ConnectionNumber
    {
        get
        {
            lock (_stateGate)
            {
                return _sessionNumber;
            }
        }
    }

    /// <summary>Waits until a connection newer than <paramref name="after"/> is up; throws once the connection is closed.</summary>
    internal async Task WaitForNewConnectionAsync(long after, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_stateGate)
            {
                if (_state == HubConnectionState.Connected && _sessionNumber > after)
                {
                    return;
                }
                if (_state == HubConnectionState.Disconnected)
                {
                    throw new LiveHelpConnectionException("The connection is closed.", allowReconnect: false);
                }
                changed = _stateChanged.Task;
            }
            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private T ReadArgument<T>(JsonElement arguments, int index) =>
        arguments.ValueKind == JsonValueKind.Array && arguments.GetArrayLength() > index
            ? arguments[index].Deserialize<T>(_options.JsonOptions)!
            : default!;

    private HubSession CurrentSession()
    {
        lock (_stateGate)
        {
            return _state switch
            {
                HubConnectionState.Connected when _session is not null => _session,
                HubConnectionState.Disconnected => throw new InvalidOperationException("The connection is not started."),
                _ => throw new LiveHelpConnectionException($"The connection is not connected ({_state})."),
            };
        }
    }

    private void OnInvocation(string target, JsonElement arguments) =>
        _events.Post(() => DispatchAsync(target, arguments));

    private async Task DispatchAsync(string target, JsonElement arguments)
    {
        foreach (var handler in _handlers.Get(target))
        {
            try
            {
                await handler(arguments).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                ReportHandlerFailure(target, ex);
            }
        }
    }

    /// <summary>Owns the connection from start to close: watches the session, reconnects, and closes on stop.</summary>
    private async Task RunAsync(HubSession session, CancellationToken lifetime)
    {
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = lifetime.Register(() => stopped.TrySetResult());
        while (true)
        {
            await Task.WhenAny(session.Ended, stopped.Task).ConfigureAwait(false);
            if (lifetime.IsCancellationRequested)
            {
                await session.CloseAsync().ConfigureAwait(false);
                await session.DisposeAsync().ConfigureAwait(false);
                Finish(null);
                return;
            }
            var end = await session.Ended.ConfigureAwait(false);
            await session.DisposeAsync().ConfigureAwait(false);
            if (!_options.AutomaticReconnect || !end.AllowReconnect)
            {
                Finish(end);
                return;
            }
            SetState(HubConnectionState.Reconnecting, null);
            _events.Post(() => RaiseAsync(nameof(Reconnecting), Reconnecting, end));
            var (next, lastError) = await ReconnectAsync(end, lifetime).ConfigureAwait(false);
            if (next is null)
            {
                Finish(lifetime.IsCancellationRequested ? null : lastError);
                return;
            }
            SetState(HubConnectionState.Connected, next);
            _events.Post(() => RaiseAsync(nameof(Reconnected), Reconnected, next.ConnectionId));
            session = next;
        }
    }

    /// <summary>
    /// The first connection. An attempt that timed out (a node that accepts connections but never answers) is tried
    /// again as a reconnect would be, since the next one may reach another node; any other failure is the caller's.
    /// </summary>
    private async Task<HubSession> ConnectFirstAsync(CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await HubSession.ConnectAsync(HubUrl, _options, OnInvocation, ct).ConfigureAwait(false);
            }
            catch (LiveHelpConnectionException ex) when (ex.InnerException is TimeoutException
                && _options.AutomaticReconnect && (_options.MaxReconnectAttempts is not { } max || attempt < max))
            {
                await Task.Delay(ReconnectDelay(attempt), ct).ConfigureAwait(false);
            }
        }
    }

    private async Task<(HubSession? Session, Exception? LastError)> ReconnectAsync(Exception firstError, CancellationToken lifetime)
    {
        var lastError = firstError;
        for (var attempt = 0; _options.MaxReconnectAttempts is not { } max || attempt < max; attempt++)
        {
            var delay = ReconnectDelay(attempt);
            try
            {
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, lifetime).ConfigureAwait(false);
                }
                return (await HubSession.ConnectAsync(HubUrl, _options, OnInvocation, lifetime).ConfigureAwait(false), null);
            }
            catch (OperationCanceledException) when (lifetime.IsCancellationRequested)
            {
                return (null, null);
            }
            catch (Exception ex)
            {
                lastError = ex;
                // Refused credentials (a disabled account, an expired sign-in) will not get better by retrying.
                if (ex is LiveHelpConnectionException { AllowReconnect: false } or LiveHelpApiException { Status: 401 or 403 })
                {
                    break;
                }
            }
        }
        return (null, lastError);
    }

    private TimeSpan ReconnectDelay(int attempt) => _options.ReconnectDelays[Math.Min(attempt, _options.ReconnectDelays.Count - 1)];

    private void Finish(Exception? error)
    {
        SetState(HubConnectionState.Disconnected, null);
        _events.Post(() => RaiseAsync(nameof(Closed), Closed, error));
    }

    private void SetState(HubConnectionState state, HubSession? session)
    {
        TaskCompletionSource changed;
        lock (_stateGate)
        {
            _state = state;
            if (session is not null && !ReferenceEquals(session, _session))
            {
                _sessionNumber++;
            }
            _session = session;
            changed = _stateChanged;
            _stateChanged = NewSignal();
        }
        changed.TrySetResult();
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
}
