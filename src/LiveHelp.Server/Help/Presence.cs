using LiveHelp.Core;
using LiveHelp.Core.Contracts;
using LiveHelp.Core.Conversations;
using Microsoft.Extensions.Options;

namespace LiveHelp.Server.Help;

/// <summary>
/// Whether each open conversation's customer is here, away or gone, as the store of record keeps it: the widget
/// reports here and away, a node records its customer connections coming and going, and the routing clock finds
/// customers gone, tells the agent once they have been gone a while, and later closes the conversation for them.
/// Agents and watchers learn every change as <c>customerPresence</c>.
/// </summary>
public sealed class Presence(
    ICustomerPresenceStore store,
    Conversations conversations,
    HelpQueue queue,
    TimeProvider clock,
    IOptions<LiveHelpOptions> options,
    ILogger<Presence> log)
{
    private CustomerPresenceOptions Options => options.Value.Presence;

    public async Task CustomerConnectedAsync(string visitorId) =>
        await AnnounceAsync(await store.CustomerConnectedAsync(visitorId, clock.GetUtcNow()));

    public Task CustomerDisconnectedAsync(string visitorId) => store.CustomerDisconnectedAsync(visitorId, clock.GetUtcNow());

    /// <summary>The customer's widget says their tab is shown (here) or hidden (away).</summary>
    public async Task ReportAsync(Caller customer, string conversationId, CustomerPresence presence)
    {
        Conversations.RequireCustomer(customer);
        if (presence is not (CustomerPresence.Here or CustomerPresence.Away))
        {
            throw new LiveHelpException(ErrorCodes.InvalidInput, "presence must be here or away");
        }
        var conversation = await conversations.FindAsync(customer, conversationId, Access.Participate);
        Conversations.RequireOpen(conversation);
        if (await store.ReportAsync(conversation.Id, presence, clock.GetUtcNow()) is { } changed)
        {
            await AnnounceAsync([changed]);
        }
    }

    /// <summary>The routing clock's turn: customers without a connection past the grace are gone; long gone ones are told, then closed.</summary>
    public async Task TickAsync()
    {
        var now = clock.GetUtcNow();
        await AnnounceAsync(await store.MarkGoneAsync(now, now - Options.ReconnectGrace, now - options.Value.Node.HeartbeatTtl));
        foreach (var left in await store.TakeLeftUntoldAsync(now - Options.LeftNoticeAfter))
        {
            await conversations.AppendSystemAsync(left, "The customer left the chat.");
        }
        var goneBy = now - Options.LeftNoticeAfter - Options.CloseAfter;
        foreach (var abandoned in await store.ListGoneAsync(goneBy))
        {
            if (await queue.CloseAbandonedAsync(abandoned.Id, goneBy))
            {
                Log.ClosedAbandoned(log, abandoned.Id);
            }
        }
    }

    private async Task AnnounceAsync(IReadOnlyList<Conversation> changed)
    {
        foreach (var c in changed)
        {
            await conversations.SendToConversationAsync(c, x => x.customerPresence(new CustomerPresenceChanged(c.Id, c.Presence, c.PresenceSince)), includeCustomer: false);
        }
    }
}
