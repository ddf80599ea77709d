using System.Collections.Concurrent;
using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json;

namespace LiveHelp.Client.Internal;

/// <summary>Why a session ended, and whether the server allows reconnecting.</summary>

/// <summary>
/// One WebSocket connection speaking the hub protocol, from handshake to close. A reconnect makes a new session.
/// </summary>
internal sealed class HubSession : IAsyncDisposable
{
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(2);

    private readonly ClientWebSocket _socket;
    private readonly HubConnectionOptions _options;
    private readonly Action<string, JsonElement> _onInvocation;
    private readonly RecordBuffer _buffer = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonElement?>> _pending = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource<LiveHelpConnectionException> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _nextInvocationId;
    private long _lastReceived;
    private long _lastSent;
    private Task _receiving = Task.CompletedTask;
    private Task _keepingAlive = Task.CompletedTask;

    private HubSession(ClientWebSocket socket, string? connectionId, HubConnectionOptions options, Action<string, JsonElement> onInvocation)
    {
        _socket = socket;
        ConnectionId = connectionId;
        _options = options;
        _onInvocation = onInvocation;
        _lastReceived = _lastSent = Environment.TickCount64;
    }

    public string? ConnectionId { get; }

    /// <summary>Completes once, when the session is over for whatever reason.</summary>
    public Task<LiveHelpConnectionException> Ended => _ended.Task;

    /// <summary>One attempt, given up after <see cref="HubConnectionOptions.ConnectTimeout"/> with a <see cref="TimeoutException"/> inside.</summary>
    public static async Task<HubSession> ConnectAsync(
        Uri hubUrl, HubConnectionOptions options, Action<string, JsonElement> onInvocation, CancellationToken ct)
    {
        var token = options.AccessTokenProvider is { } provider ? await provider().ConfigureAwait(false) : null;
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
        attempt.CancelAfter(options.ConnectTimeout);
        try
        {
            return await OpenAsync(hubUrl, token, options, onInvocation, attempt.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (attempt.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new LiveHelpConnectionException(
                $"The server did not answer within the connect timeout ({options.ConnectTimeout}).", new TimeoutException(ex.Message, ex));
        }
    }

    private static async Task<HubSession> OpenAsync(
        Uri hubUrl, string? token, HubConnectionOptions options, Action<string, JsonElement> onInvocation, CancellationToken ct)
    {
        var url = hubUrl;
        string? connectionId = null;
        if (!options.SkipNegotiation)
        {
            var negotiation = await Negotiation.NegotiateAsync(hubUrl, token, options.HttpClient ?? SharedHttp.Client, ct)
                .ConfigureAwait(false);
            url = negotiation.Url;
            token = negotiation.AccessToken;
            connectionId = negotiation.ConnectionId;
            if (negotiation.ConnectionToken is { } connectionToken)
            {
                url = UriPaths.AddQuery(url, "id", connectionToken);
            }
        }
        if (!string.IsNullOrEmpty(token))
        {
            url = UriPaths.AddQuery(url, "access_token", token);
        }

        var socket = new ClientWebSocket();
        try
        {
            if (!string.IsNullOrEmpty(token))
            {
                socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
            }
            options.ConfigureWebSocket?.Invoke(socket.Options);
            await socket.ConnectAsync(UriPaths.ToWebSocket(url), ct).ConfigureAwait(false);
            var session = new HubSession(socket, connectionId, options, onInvocation);
            await session.HandshakeAsync(ct).ConfigureAwait(false);
            session.Run();
            return session;
        }
        catch (WebSocketException ex)
        {
            socket.Dispose();
            throw new LiveHelpConnectionException($"Could not open the WebSocket: {ex.Message}", ex);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public async Task<JsonElement?> InvokeAsync(string target, IReadOnlyList<object?> arguments, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var id = Interlocked.Increment(ref _nextInvocationId).ToString(CultureInfo.InvariantCulture);
        var payload = HubProtocol.WriteInvocation(id, target, arguments, _options.JsonOptions);
        var completion = new TaskCompletionSource<JsonElement?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = completion;
        if (_ended.Task.IsCompleted)
        {
            _pending.TryRemove(id, out _);
            throw _ended.Task.Result;
        }
        using var registration = ct.Register(() =>
        {
            if (_pending.TryRemove(id, out var pending))
            {
                pending.TrySetCanceled(ct);
            }
        });
        try
        {
            await SendAsync(payload, ct).ConfigureAwait(false);
        }
        catch
        {
            _pending.TryRemove(id, out _);
            throw;
        }
        return await completion.Task.ConfigureAwait(false);
    }

    public Task SendInvocationAsync(string target, IReadOnlyList<object?> arguments, CancellationToken ct) =>
        SendAsync(HubProtocol.WriteInvocation(null, target, arguments, _options.JsonOptions), ct);

    /// <summary>Closes politely (a close frame, then waits briefly for the server's), then ends the session.</summary>
    public async Task CloseAsync()
    {
        if (!_ended.Task.IsCompleted)
        {
            using var timeout = new CancellationTokenSource(CloseTimeout);
            try
            {
                await _sendLock.WaitAsync(timeout.Token).ConfigureAwait(false);
                try
                {
                    await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
                }
                finally
                {
                    _sendLock.Release();
                }
                await _ended.Task.WaitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
            {
            }
        }
        End(new LiveHelpConnectionException("The connection was stopped.", allowReconnect: false));
    }

    public async ValueTask DisposeAsync()
    {
        End(new LiveHelpConnectionException("The connection was stopped.", allowReconnect: false));
        try
        {
            await Task.WhenAll(_receiving, _keepingAlive).ConfigureAwait(false);
        }
        catch (Exception)
        {
        }
        _socket.Dispose();
    }

    private async Task HandshakeAsync(CancellationToken ct)
    {
        await _socket.SendAsync(HubProtocol.HandshakeRequest, WebSocketMessageType.Text, true, ct).ConfigureAwait(false);
        while (true)
        {
            if (_buffer.TryReadRecord(out var record))
            {
                ReadHandshakeResponse(record);
                return;
            }
            var result = await _socket.ReceiveAsync(_buffer.GetMemory(), ct).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                throw new LiveHelpConnectionException("The server closed the connection during the handshake.");
            }
            _buffer.Advance(result.Count);
        }
    }

    private static void ReadHandshakeResponse(ReadOnlyMemory<byte> record)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(record);
        }
        catch (JsonException ex)
        {
            throw new LiveHelpConnectionException("The handshake response is not valid JSON.", ex, allowReconnect: false);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || root.TryGetProperty("type", out _))
            {
                throw new LiveHelpConnectionException("The server did not answer the handshake.", allowReconnect: false);
            }
            if (HubProtocol.ReadString(root, "error") is { } error)
            {
                throw new LiveHelpConnectionException($"The server refused the handshake: {error}", serverError: error, allowReconnect: false);
            }
        }
    }

    private void Run()
    {
        _receiving = Task.Run(ReceiveLoopAsync);
        var tick = KeepAliveTick();
        if (tick is { } period)
        {
            _keepingAlive = Task.Run(() => KeepAliveLoopAsync(period));
        }
    }

    private async Task ReceiveLoopAsync()
    {
        try
        {
            if (!ProcessRecords())
            {
                return;
            }
            while (!_ended.Task.IsCompleted)
            {
                var result = await _socket.ReceiveAsync(_buffer.GetMemory(), _stopping.Token).ConfigureAwait(false);
                Volatile.Write(ref _lastReceived, Environment.TickCount64);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    var status = _socket.CloseStatus;
                    var description = string.IsNullOrEmpty(_socket.CloseStatusDescription) ? "" : $": {_socket.CloseStatusDescription}";
                    End(new LiveHelpConnectionException($"The server closed the WebSocket ({status}{description})."));
                    return;
                }
                _buffer.Advance(result.Count);
                if (!ProcessRecords())
                {
                    return;
                }
                if (_buffer.Pending > _options.MaximumReceiveMessageSize)
                {
                    throw new InvalidDataException($"A message from the server exceeds {_options.MaximumReceiveMessageSize} bytes.");
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            End(new LiveHelpConnectionException($"The connection to the server was lost: {ex.Message}", ex));
        }
    }

    /// <summary>Handles every complete record received so far; false once a close message ended the session.</summary>
    private bool ProcessRecords()
    {
        while (_buffer.TryReadRecord(out var record))
        {
            if (record.Length > 0 && !ProcessRecord(record))
            {
                return false;
            }
        }
        return true;
    }

    private bool ProcessRecord(ReadOnlyMemory<byte> record)
    {
        using var document = JsonDocument.Parse(record);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("type", out var typeElement)
            || !typeElement.TryGetInt32(out var type))
        {
            throw new InvalidDataException("A message from the server has no type.");
        }
        switch (type)
        {
            case HubProtocol.InvocationType:
                OnInvocation(root);
                break;
            case HubProtocol.CompletionType:
                OnCompletion(root);
                break;
            case HubProtocol.CloseType:
                OnClose(root);
                return false;
            default:
                break;
        }
        return true;
    }

    private void OnInvocation(JsonElement root)
    {
        var target = HubProtocol.ReadString(root, "target")
            ?? throw new InvalidDataException("An invocation from the server has no target.");
        if (HubProtocol.ReadString(root, "invocationId") is { } invocationId)
        {
            var reply = HubProtocol.WriteCompletionError(invocationId, "Client results are not supported by this client.");
            _ = SendQuietlyAsync(reply);
            return;
        }
        var arguments = root.TryGetProperty("arguments", out var args) && args.ValueKind == JsonValueKind.Array
            ? args.Clone()
            : default;
        _onInvocation(target, arguments);
    }

    private void OnCompletion(JsonElement root)
    {
        var invocationId = HubProtocol.ReadString(root, "invocationId");
        if (invocationId is null || !_pending.TryRemove(invocationId, out var pending))
        {
            return;
        }
        if (root.TryGetProperty("error", out var error) && error.ValueKind != JsonValueKind.Null)
        {
            var text = error.ValueKind == JsonValueKind.String ? error.GetString() ?? "" : error.GetRawText();
            pending.TrySetException(LiveHelpHubException.FromServerError(text));
        }
        else if (root.TryGetProperty("result", out var result))
        {
            pending.TrySetResult(result.Clone());
        }
        else
        {
            pending.TrySetResult(null);
        }
    }

    private void OnClose(JsonElement root)
    {
        var error = HubProtocol.ReadString(root, "error");
        // A close with an error is final unless the server allows reconnecting. A bare close is what a stock server
        // sends when a hub calls Context.Abort(); it is treated like a dropped connection.
        var allowReconnect = error is null
            || (root.TryGetProperty("allowReconnect", out var allow) && allow.ValueKind == JsonValueKind.True);
        var message = error is null ? "The server closed the connection." : $"The server closed the connection: {error}";
        End(new LiveHelpConnectionException(message, serverError: error, allowReconnect: allowReconnect));
    }

    private async Task KeepAliveLoopAsync(TimeSpan period)
    {
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                var now = Environment.TickCount64;
                if (_options.ServerTimeout != Timeout.InfiniteTimeSpan
                    && now - Volatile.Read(ref _lastReceived) > (long)_options.ServerTimeout.TotalMilliseconds)
                {
                    End(new LiveHelpConnectionException(
                        $"Nothing was heard from the server for {_options.ServerTimeout.TotalSeconds:0.###} s; the connection is considered lost.",
                        new TimeoutException()));
                    return;
                }
                if (_options.KeepAliveInterval != Timeout.InfiniteTimeSpan
                    && now - Volatile.Read(ref _lastSent) >= (long)_options.KeepAliveInterval.TotalMilliseconds)
                {
                    await SendQuietlyAsync(HubProtocol.Ping).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private TimeSpan? KeepAliveTick()
    {
        var intervals = new[] { _options.KeepAliveInterval, _options.ServerTimeout }
            .Where(i => i != Timeout.InfiniteTimeSpan)
            .ToArray();
        if (intervals.Length == 0)
        {
            return null;
        }
        var tick = intervals.Min() / 4;
        return tick < TimeSpan.FromMilliseconds(10) ? TimeSpan.FromMilliseconds(10)
            : tick > TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1)
            : tick;
    }

    /// <summary>
    /// Sends one message. The caller's token only bounds the wait for the send lock: cancelling a WebSocket send would
    /// abort the whole connection.
    /// </summary>
    private async Task SendAsync(ReadOnlyMemory<byte> payload, CancellationToken ct)
    {
        if (_ended.Task.IsCompleted)
        {
            throw _ended.Task.Result;
        }
        await _sendLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await _socket.SendAsync(payload, WebSocketMessageType.Text, true, _stopping.Token).ConfigureAwait(false);
            Volatile.Write(ref _lastSent, Environment.TickCount64);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            var error = _ended.Task.IsCompleted
                ? _ended.Task.Result
                : new LiveHelpConnectionException($"The connection to the server was lost: {ex.Message}", ex);
            End(error);
            throw error;
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task SendQuietlyAsync(ReadOnlyMemory<byte> payload)
    {
        try
        {
            await SendAsync(payload, _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception)
        {
        }
    }

    /// <summary>Ends the session once; the error says whether reconnecting makes sense.</summary>
    private void End(LiveHelpConnectionException error)
    {
        if (!_ended.TrySetResult(error))
        {
            return;
        }
        _stopping.Cancel();
        foreach (var id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out var pending))
            {
                pending.TrySetException(error);
            }
        }
    }
}
