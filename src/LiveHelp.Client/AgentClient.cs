using LiveHelp.Core;
using LiveHelp.Core.Contracts;
using LiveHelp.Core.Conversations;

namespace LiveHelp.Client;

/// <summary>The agent's side: go online, take offers, chat, add notes, transfer and close; supervisors can watch.</summary>
public sealed class AgentClient : ConversationClient
{
    /// <summary>A client not yet connected: attach event handlers, then call <see cref="StartAsync"/>.</summary>
    public AgentClient(Uri baseUri, HubConnectionOptions? options = null)
        : base(baseUri, options)
    {
        Connection.On<OfferNotice>(nameof(IHelpClient.offer), offer => Raise(OfferReceived, offer));
        Connection.On<OfferWithdrawn>(nameof(IHelpClient.offerWithdrawn), withdrawn => Raise(OfferWithdrawn, withdrawn));
        Connection.On<ConversationView>(nameof(IHelpClient.assigned), conversation =>
        {
            Follow(conversation.Id, IsOpen(conversation.Status));
            Raise(Assigned, conversation);
        });
        Connection.On<Unassigned>(nameof(IHelpClient.unassigned), unassigned =>
        {
            Unfollow(unassigned.ConversationId);
            Raise(Unassigned, unassigned);
        });
        Connection.On<StatusChanged>(nameof(IHelpClient.statusChanged), changed =>
        {
            Status = changed.Status;
            Raise(StatusChanged, changed);
        });
        Connection.On<ConversationRated>(nameof(IHelpClient.conversationRated), rated => Raise(ConversationRated, rated));
        Connection.On<CustomerPresenceChanged>(nameof(IHelpClient.customerPresence), changed => Raise(CustomerPresenceChanged, changed));
        Connection.Reconnected += _ => ReassertStatusAsync();
    }

    /// <summary>The status this agent last chose or was given; re-applied after a reconnect, since the server may have restarted.</summary>
    public AgentStatus? Status { get; private set; }

    public string? AgentId { get; private set; }

    public string? DisplayName { get; private set; }

    /// <summary>agent, supervisor or admin (see LiveHelp.Core.Roles).</summary>
    public string? Role { get; private set; }

    /// <summary>A conversation is offered; accept or decline before its deadline.</summary>
    public event EventHandler<OfferNotice>? OfferReceived;

    public event EventHandler<OfferWithdrawn>? OfferWithdrawn;

    /// <summary>A conversation was given to this agent (auto-accept, a transfer, or an accept from another tab).</summary>
    public event EventHandler<ConversationView>? Assigned;

    public event EventHandler<Unassigned>? Unassigned;

    /// <summary>The customer rated a closed conversation this agent held.</summary>
    public event EventHandler<ConversationRated>? ConversationRated;

    /// <summary>The server changed this agent's status (for example, set away after a missed offer).</summary>
    public event EventHandler<StatusChanged>? StatusChanged;

    /// <summary>The customer of a conversation this agent holds or watches is here, away (tab hidden) or gone, since when.</summary>
    public event EventHandler<CustomerPresenceChanged>? CustomerPresenceChanged;

    /// <summary>Signs in (POST /api/auth/signin) and connects.</summary>
    public static async Task<AgentClient> SignInAsync(
        Uri baseUri, string username, string password, HubConnectionOptions? options = null, CancellationToken cancellationToken = default)
    {
        var client = new AgentClient(baseUri, options);
        try
        {
            await client.StartAsync(username, password, cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Signs in (POST /api/auth/signin) and connects.</summary>
    public async Task StartAsync(string username, string password, CancellationToken cancellationToken = default)
    {
        var credentials = await Api.SignInAsync(username, password, cancellationToken).ConfigureAwait(false);
        AgentId = credentials.AgentId;
        DisplayName = credentials.DisplayName;
        Role = credentials.Role;
        await StartWithTokenCoreAsync(credentials.Token, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Connects with a staff token obtained before.</summary>
    public Task StartWithTokenAsync(string token, CancellationToken cancellationToken = default) =>
        StartWithTokenCoreAsync(token, cancellationToken);

    public async Task SetStatusAsync(AgentStatus status, CancellationToken cancellationToken = default)
    {
        await Connection.InvokeAsync(Hub.Methods.SetStatus, status, cancellationToken).ConfigureAwait(false);
        Status = status;
    }

    private async Task ReassertStatusAsync()
    {
        if (Status is { } status and not AgentStatus.Offline)
        {
            try
            {
                await Connection.InvokeAsync(Hub.Methods.SetStatus, status).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is LiveHelpHubException or LiveHelpConnectionException)
            {
                // Dropped again or refused (a disabled account): the next reconnect, or the caller, decides.
            }
        }
    }

    public async Task<ConversationView> AcceptOfferAsync(string conversationId, CancellationToken cancellationToken = default)
    {
        var conversation = await Connection.InvokeAsync<ConversationView>(Hub.Methods.AcceptOffer, conversationId, cancellationToken)
            .ConfigureAwait(false);
        Follow(conversation.Id, IsOpen(conversation.Status));
        return conversation;
    }

    public Task DeclineOfferAsync(string conversationId, CancellationToken cancellationToken = default) =>
        Connection.InvokeAsync(Hub.Methods.DeclineOffer, conversationId, cancellationToken);

    /// <summary>An internal note, seen by staff only; repeated safely like <see cref="ConversationClient.SendMessageAsync"/>.</summary>
    public Task<Message> AddNoteAsync(string conversationId, string text, string? clientMessageId = null, CancellationToken cancellationToken = default) =>
        SendWithRetryAsync(Hub.Methods.AddNote, conversationId, text, clientMessageId, cancellationToken);

    /// <summary>Hands the conversation to another agent or back to a topic's queue; this agent stops following it.</summary>
    public async Task TransferAsync(string conversationId, TransferInput input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        await Connection.InvokeAsync(Hub.Methods.Transfer, conversationId, input, cancellationToken).ConfigureAwait(false);
        Unfollow(conversationId);
    }

    /// <summary>Supervisors: follow a conversation without taking part; returns it with its transcript so far.</summary>
    public async Task<ResumeResult> WatchAsync(string conversationId, CancellationToken cancellationToken = default)
    {
        var result = await Connection.InvokeAsync<ResumeResult>(Hub.Methods.Watch, conversationId, cancellationToken).ConfigureAwait(false);
        Apply(result, onEventQueue: false);
        return result;
    }

    public async Task<IReadOnlyList<QueueEntry>> GetQueueAsync(CancellationToken cancellationToken = default) =>
        await Connection.InvokeAsync<IReadOnlyList<QueueEntry>>(Hub.Methods.GetQueue, cancellationToken).ConfigureAwait(false) ?? [];
}
