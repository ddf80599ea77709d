using LiveHelp.Core.Contracts;
using LiveHelp.Core.Conversations;

namespace LiveHelp.Client;

/// <summary>The customer's side: ask for help, wait in the queue, chat, close and rate, or leave a message.</summary>
public sealed class CustomerClient : ConversationClient
{
    // Per conversation, when its last stay in the queue that an agent ended began: places from then or before are stale.
    private readonly Dictionary<string, DateTimeOffset> _joinedFrom = new(StringComparer.Ordinal);

    /// <summary>A client not yet connected: attach event handlers, then call <see cref="StartAsync"/>.</summary>
    public CustomerClient(Uri baseUri, HubConnectionOptions? options = null)
        : base(baseUri, options)
    {
        Connection.On<QueueUpdate>(nameof(IHelpClient.queueUpdate), update =>
        {
            if (_joinedFrom.TryGetValue(update.ConversationId, out var joinedFrom) && update.QueuedSince <= joinedFrom)
            {
                return;
            }
            Notice(update.ConversationId);
            Raise(QueueUpdated, update);
        });
        Connection.On<AgentJoined>(nameof(IHelpClient.agentJoined), joined =>
        {
            _joinedFrom[joined.ConversationId] = joined.QueuedSince;
            Notice(joined.ConversationId);
            Raise(AgentJoined, joined);
        });
    }

    /// <summary>Known once <see cref="StartAsync"/> has registered the visitor.</summary>
    public string? VisitorId { get; private set; }

    /// <summary>The customer's place in the queue changed. A place from a stay in the queue that an agent already ended is not raised.</summary>
    public event EventHandler<QueueUpdate>? QueueUpdated;

    public event EventHandler<AgentJoined>? AgentJoined;

    /// <summary>Gets a visitor token (POST /api/visitors) and connects.</summary>
    public static Task<CustomerClient> ConnectAsync(
        Uri baseUri, VisitorIdentity? identity = null, HubConnectionOptions? options = null, CancellationToken cancellationToken = default) =>
        CreateStartedAsync(baseUri, options, client => client.StartAsync(identity, cancellationToken: cancellationToken));

    /// <summary>Connects with a visitor token obtained before.</summary>
    public static Task<CustomerClient> ConnectWithTokenAsync(
        Uri baseUri, string visitorToken, HubConnectionOptions? options = null, CancellationToken cancellationToken = default) =>
        CreateStartedAsync(baseUri, options, client => client.StartWithTokenAsync(visitorToken, cancellationToken));

    /// <summary>
    /// Gets a visitor token (POST /api/visitors) and connects. Passing the token of an earlier visit keeps the same visitor.
    /// </summary>
    public async Task StartAsync(VisitorIdentity? identity = null, string? previousToken = null, CancellationToken cancellationToken = default)
    {
        var credentials = await Api.CreateVisitorAsync(identity, previousToken ?? Token, cancellationToken).ConfigureAwait(false);
        VisitorId = credentials.VisitorId;
        await StartWithTokenCoreAsync(credentials.Token, cancellationToken).ConfigureAwait(false);
    }

    public Task StartWithTokenAsync(string visitorToken, CancellationToken cancellationToken = default) =>
        StartWithTokenCoreAsync(visitorToken, cancellationToken);

    /// <summary>
    /// Presses the help button. The result says whether the customer is queued, already assigned, or nobody is online
    /// (then <see cref="LeaveMessageAsync"/> is the way on).
    /// </summary>
    public async Task<RequestHelpResult> RequestHelpAsync(RequestHelpInput input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var result = await Connection.InvokeAsync<RequestHelpResult>(Hub.Methods.RequestHelp, input, cancellationToken).ConfigureAwait(false);
        if (result.Conversation is { } conversation)
        {
            Follow(conversation.Id, IsOpen(conversation.Status));
        }
        else if (result.Place is { } place)
        {
            Follow(place.ConversationId, open: true);
        }
        return result;
    }

    public async Task CancelHelpAsync(string conversationId, CancellationToken cancellationToken = default)
    {
        await Connection.InvokeAsync(Hub.Methods.CancelHelp, conversationId, cancellationToken).ConfigureAwait(false);
        Unfollow(conversationId);
    }

    /// <summary>Leaves a message for agents to read later, when nobody is online.</summary>
    public Task LeaveMessageAsync(OfflineMessageInput input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Connection.InvokeAsync(Hub.Methods.LeaveMessage, input, cancellationToken);
    }

    /// <summary>Tells the agent whether the customer is looking at the conversation (here) or has put it aside (away).</summary>
    public Task SetPresenceAsync(string conversationId, CustomerPresence presence, CancellationToken cancellationToken = default) =>
        Connection.InvokeAsync(Hub.Methods.SetPresence, conversationId, presence, cancellationToken);

    /// <summary>Rates a conversation (the server checks the range) with an optional comment.</summary>
    public Task RateAsync(string conversationId, int rating, string? comment = null, CancellationToken cancellationToken = default) =>
        Connection.InvokeAsync(Hub.Methods.Rate, conversationId, rating, comment, cancellationToken);

    /// <summary>The visitor's conversations, newest first; open ones are followed (and resumed after a reconnect).</summary>
    public async Task<IReadOnlyList<ConversationView>> MyConversationsAsync(CancellationToken cancellationToken = default)
    {
        var conversations = await Connection.InvokeAsync<IReadOnlyList<ConversationView>>(Hub.Methods.MyConversations, cancellationToken)
            .ConfigureAwait(false) ?? [];
        foreach (var conversation in conversations.Where(c => IsOpen(c.Status)))
        {
            Follow(conversation.Id, open: true);
        }
        return conversations;
    }

    private static async Task<CustomerClient> CreateStartedAsync(Uri baseUri, HubConnectionOptions? options, Func<CustomerClient, Task> start)
    {
        var client = new CustomerClient(baseUri, options);
        try
        {
            await start(client).ConfigureAwait(false);
            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
