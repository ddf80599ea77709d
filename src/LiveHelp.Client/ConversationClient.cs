using LiveHelp.Client.Internal;
using LiveHelp.Core;
using LiveHelp.Core.Contracts;
using LiveHelp.Core.Conversations;

namespace LiveHelp.Client;

/// <summary>
/// What customers and agents share: messages, typing, read marks, closing, and resuming after a reconnect.
/// The client remembers, per conversation it takes part in, what it has seen; after a reconnect it calls Resume for
/// each open one and raises <see cref="MessageReceived"/> for what was missed. Each message is raised once.
/// Events are raised one at a time, in order, off the caller's thread. The hub is opened with the token from sign-in or
/// the visitor endpoint; an AccessTokenProvider in the options is not used.
/// </summary>
public abstract class ConversationClient : IAsyncDisposable
{
    private const int SendAttempts = 3;

    // A store restarting answers "unavailable": the same send is tried again, with back-off, for at least this long.
    private static readonly TimeSpan UnavailablePatience = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan[] UnavailableBackoff =
        [TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)];
    private static readonly TimeSpan LongestBackoff = TimeSpan.FromSeconds(5);
    private const int MaxResumePages = 100;

    private readonly ConversationLog _log = new();

    // Where each open conversation stood when the connection dropped: live messages that arrive after the
    // reconnect but before Resume must not move the starting point past what was missed.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _resumeFrom = new(StringComparer.Ordinal);
    private string? _token;

    private protected ConversationClient(Uri baseUri, HubConnectionOptions? options)
    {
        ArgumentNullException.ThrowIfNull(baseUri);
        BaseUri = baseUri;
        var connectionOptions = (options ?? new HubConnectionOptions()).Clone();
        connectionOptions.AccessTokenProvider = () => Task.FromResult(Volatile.Read(ref _token));
        Api = new LiveHelpApi(baseUri, connectionOptions.HttpClient, connectionOptions.JsonOptions);
        Connection = new HubConnection(UriPaths.Append(baseUri, Hub.Path), connectionOptions);

        Calls = new CallChannel(Connection);
        Connection.On<Message>(nameof(IHelpClient.message), message => Record(message, onEventQueue: true));
        Connection.On(nameof(IHelpClient.resync), ResyncAsync);
        Connection.On<TypingNotice>(nameof(IHelpClient.typing), notice => Raise(Typing, notice));
        Connection.On<ReadNotice>(nameof(IHelpClient.read), notice => Raise(Read, notice));
        Connection.On<ConversationClosed>(nameof(IHelpClient.conversationClosed), notice =>
        {
            Unfollow(notice.ConversationId);
            Raise(ConversationClosed, notice);
        });
        Connection.Reconnecting += error =>
        {
            foreach (var conversationId in _log.OpenConversations())
            {
                _resumeFrom.TryAdd(conversationId, _log.LastSeq(conversationId));
            }
            Raise(Reconnecting, error);
            return Task.CompletedTask;
        };
        Connection.Reconnected += _ => OnReconnectedAsync();
        Connection.Closed += error =>
        {
            Raise(Closed, error);
            return Task.CompletedTask;
        };
    }

    public Uri BaseUri { get; }

    /// <summary>Call signalling for this side's conversations.</summary>
    public CallChannel Calls { get; }

    /// <summary>The hub connection underneath, for calls and events this type does not wrap.</summary>
    public HubConnection Connection { get; }

    public HubConnectionState State => Connection.State;

    /// <summary>The HTTP API of the same server.</summary>
    public LiveHelpApi Api { get; }

    /// <summary>The token the hub is opened with.</summary>
    public string? Token => Volatile.Read(ref _token);

    /// <summary>Raised once per (conversation, seq): live, from Resume, or as the answer to this client's own send.</summary>
    public event EventHandler<Message>? MessageReceived;

    public event EventHandler<TypingNotice>? Typing;

    public event EventHandler<ReadNotice>? Read;

    public event EventHandler<ConversationClosed>? ConversationClosed;

    /// <summary>The connection dropped; calls fail until <see cref="Reconnected"/>.</summary>
    public event EventHandler<Exception?>? Reconnecting;

    /// <summary>The connection is back and the open conversations have been resumed.</summary>
    public event EventHandler? Reconnected;

    /// <summary>The connection is over: stopped (null), or reconnecting gave up (the last error).</summary>
    public event EventHandler<Exception?>? Closed;

    /// <summary>Told about exceptions thrown by this client's event handlers.</summary>
    public event EventHandler<Exception>? HandlerFailed;

    /// <summary>
    /// Sends a message. Without <paramref name="clientMessageId"/> one is made up; it is reused if the connection drops
    /// during the call and the call is repeated after the reconnect, or while the server answers "unavailable" (its
    /// store restarting: tried again with back-off for at least 30 seconds), so the server stores the message once.
    /// </summary>
    public Task<Message> SendMessageAsync(string conversationId, string text, string? clientMessageId = null, CancellationToken cancellationToken = default) =>
        SendWithRetryAsync(Hub.Methods.SendMessage, conversationId, text, clientMessageId, cancellationToken);

    /// <summary>
    /// Sends a file (a PNG, JPEG, GIF or WebP image, or a PDF; <paramref name="content"/> is read and disposed) over
    /// HTTP; the message that shows it also arrives through <see cref="MessageReceived"/>, as any other. A repeated
    /// <paramref name="clientMessageId"/> stores it once.
    /// </summary>
    public Task<Message> SendAttachmentAsync(
        string conversationId, string fileName, Stream content, string? clientMessageId = null, CancellationToken cancellationToken = default) =>
        Api.SendAttachmentAsync(conversationId, fileName, content, Token ?? throw new InvalidOperationException("Not started."), clientMessageId, cancellationToken);

    /// <summary>A file sent in a conversation this client may read: its bytes and the type the server read from them.</summary>
    public Task<(byte[] Bytes, string ContentType)> ReadAttachmentAsync(string conversationId, string attachmentId, CancellationToken cancellationToken = default) =>
        Api.ReadAttachmentAsync(conversationId, attachmentId, Token ?? throw new InvalidOperationException("Not started."), cancellationToken);

    public Task TypingAsync(string conversationId, bool isTyping, CancellationToken cancellationToken = default) =>
        Connection.InvokeAsync(Hub.Methods.Typing, conversationId, isTyping, cancellationToken);

    public Task MarkReadAsync(string conversationId, long seq, CancellationToken cancellationToken = default) =>
        Connection.InvokeAsync(Hub.Methods.MarkRead, conversationId, seq, cancellationToken);

    /// <summary>
    /// Fetches the conversation and the messages after <paramref name="afterSeq"/> (by default, after the last one this
    /// client has seen); new ones are raised through <see cref="MessageReceived"/>.
    /// </summary>
    public async Task<ResumeResult> ResumeAsync(string conversationId, long? afterSeq = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(conversationId);
        var result = await Connection.InvokeAsync<ResumeResult>(
            Hub.Methods.Resume, conversationId, afterSeq ?? _log.LastSeq(conversationId), cancellationToken).ConfigureAwait(false);
        Apply(result, onEventQueue: false);
        return result;
    }

    public async Task CloseAsync(string conversationId, CancellationToken cancellationToken = default)
    {
        await Connection.InvokeAsync(Hub.Methods.CloseConversation, conversationId, cancellationToken).ConfigureAwait(false);
        Unfollow(conversationId);
    }

    /// <summary>The messages of a conversation this client has seen, in sequence order.</summary>
    public IReadOnlyList<Message> Transcript(string conversationId) => _log.Transcript(conversationId);

    /// <summary>The highest sequence number seen in a conversation; 0 when none.</summary>
    public long LastSeenSeq(string conversationId) => _log.LastSeq(conversationId);

    /// <summary>The conversations this client follows and resumes after a reconnect.</summary>
    public IReadOnlyList<string> OpenConversations => _log.OpenConversations();

    public Task StopAsync(CancellationToken cancellationToken = default) => Connection.StopAsync(cancellationToken);

    public ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return Connection.DisposeAsync();
    }

    private protected async Task StartWithTokenCoreAsync(string token, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        Volatile.Write(ref _token, token);
        await Connection.StartAsync(ct).ConfigureAwait(false);
    }

    private protected void Follow(string conversationId, bool open) => _log.Track(conversationId, open);

    /// <summary>An event names the conversation: followed if new; one already left stays left.</summary>
    private protected void Notice(string conversationId) => _log.Notice(conversationId);

    private protected void Unfollow(string conversationId) => _log.Track(conversationId, open: false);

    private protected static bool IsOpen(ConversationStatus status) => status is ConversationStatus.Queued or ConversationStatus.Active;

    private protected void Apply(ResumeResult result, bool onEventQueue)
    {
        _log.Track(result.Conversation.Id, IsOpen(result.Conversation.Status));
        foreach (var message in result.Messages.OrderBy(m => m.Seq))
        {
            Record(message, onEventQueue);
        }
    }

    private protected async Task<Message> SendWithRetryAsync(
        string method, string conversationId, string text, string? clientMessageId, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(conversationId);
        ArgumentNullException.ThrowIfNull(text);
        var id = string.IsNullOrEmpty(clientMessageId) ? Guid.NewGuid().ToString("N") : clientMessageId;
        var started = TimeProvider.System.GetTimestamp();
        var drops = 0;
        var waits = 0;
        while (true)
        {
            var connection = Connection.ConnectionNumber;
            try
            {
                var message = await Connection.InvokeAsync<Message>(method, conversationId, id, text, ct).ConfigureAwait(false);
                Record(message, onEventQueue: false);
                return message;
            }
            catch (LiveHelpConnectionException) when (drops < SendAttempts - 1 && Connection.State != HubConnectionState.Disconnected)
            {
                drops++;
                await Connection.WaitForNewConnectionAsync(connection, ct).ConfigureAwait(false);
            }
            catch (LiveHelpHubException e) when (e.Code == ErrorCodes.Unavailable && TimeProvider.System.GetElapsedTime(started) < UnavailablePatience)
            {
                await Task.Delay(waits < UnavailableBackoff.Length ? UnavailableBackoff[waits++] : LongestBackoff, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Raises an event on the connection's ordered event queue, behind what is already queued.</summary>
    private protected void Post<T>(EventHandler<T>? handlers, T argument) =>
        Connection.Post(() =>
        {
            Raise(handlers, argument);
            return Task.CompletedTask;
        });

    private protected void Raise<T>(EventHandler<T>? handlers, T argument)
    {
        if (handlers is null)
        {
            return;
        }
        foreach (var handler in handlers.GetInvocationList().Cast<EventHandler<T>>())
        {
            try
            {
                handler(this, argument);
            }
            catch (Exception ex)
            {
                ReportHandlerFailure(ex);
            }
        }
    }

    private void Record(Message message, bool onEventQueue)
    {
        if (!_log.Add(message))
        {
            return;
        }
        if (onEventQueue)
        {
            Raise(MessageReceived, message);
        }
        else
        {
            Post(MessageReceived, message);
        }
    }

    /// <summary>
    /// The server says live delivery may have missed messages: each open conversation is read again from the start
    /// (the last seen seq could lie past a gap); what is already held is not raised again.
    /// </summary>
    private async Task ResyncAsync()
    {
        foreach (var conversationId in _log.OpenConversations())
        {
            _resumeFrom.AddOrUpdate(conversationId, 0, (_, _) => 0);
        }
        await OnReconnectedAsync(raiseReconnected: false).ConfigureAwait(false);
    }

    private async Task OnReconnectedAsync(bool raiseReconnected = true)
    {
        foreach (var conversationId in _log.OpenConversations())
        {
            var after = _resumeFrom.TryRemove(conversationId, out var from) ? from : _log.LastSeq(conversationId);
            try
            {
                for (var page = 0; page < MaxResumePages; page++)
                {
                    var result = await Connection.InvokeAsync<ResumeResult>(Hub.Methods.Resume, conversationId, after).ConfigureAwait(false);
                    Apply(result, onEventQueue: true);
                    if (!IsOpen(result.Conversation.Status))
                    {
                        Raise(ConversationClosed, new ConversationClosed(conversationId, result.Conversation.ClosedBy ?? ""));
                        break;
                    }
                    if (result.Messages.Count == 0)
                    {
                        break;
                    }
                    after = result.Messages[^1].Seq;
                }
            }
            catch (LiveHelpHubException e) when (e.Code is ErrorCodes.NotFound or ErrorCodes.Forbidden)
            {
                Unfollow(conversationId);
            }
            catch (LiveHelpHubException)
            {
                // A passing server fault (its store or Redis away) is no reason to stop following the conversation.
                _resumeFrom.TryAdd(conversationId, after);
            }
            catch (Exception ex) when (ex is LiveHelpConnectionException or InvalidOperationException)
            {
                // Dropped again: the next reconnect resumes from where this one got to.
                _resumeFrom.TryAdd(conversationId, after);
                return;
            }
        }
        if (raiseReconnected && Reconnected is { } handlers)
        {
            foreach (var handler in handlers.GetInvocationList().Cast<EventHandler>())
            {
                try
                {
                    handler(this, EventArgs.Empty);
                }
                catch (Exception ex)
                {
                    ReportHandlerFailure(ex);
                }
            }
        }
    }

    private void ReportHandlerFailure(Exception ex)
    {
        try
        {
            HandlerFailed?.Invoke(this, ex);
        }
        catch (Exception)
        {
        }
    }
}
