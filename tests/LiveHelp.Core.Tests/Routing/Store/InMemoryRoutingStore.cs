using LiveHelp.Core.Routing;

namespace LiveHelp.Core.Tests.Routing.Store;

/// <summary>
/// The routing port's reference model for the router's tests: the state in memory, one lock makes every step atomic.
/// It holds no conversations, so it skips the steps' conversation changes.
/// </summary>
public sealed class InMemoryRoutingStore : IRoutingStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, HelpRequest> _queue = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AgentSeat> _seats = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Offer> _offersByRequest = new(StringComparer.Ordinal);

    public Task EnqueueAsync(HelpRequest request)
    {
        lock (_gate)
        {
            _queue[request.Id] = request;
        }
        return Task.CompletedTask;
    }

    public Task<bool> TryReinstateAsync(HelpRequest request)
    {
        lock (_gate)
        {
            if (_queue.ContainsKey(request.Id) || _seats.Values.Any(s => s.Conversations.Contains(request.Id)))
            {
                return Task.FromResult(false);
            }
            _queue[request.Id] = request;
            return Task.FromResult(true);
        }
    }

    public Task<HelpRequest?> FindRequestAsync(string requestId)
    {
        lock (_gate)
        {
            return Task.FromResult(_queue.GetValueOrDefault(requestId));
        }
    }

    public Task<(bool Removed, Offer? WithdrawnOffer)> TryDequeueAsync(string requestId, ConversationChange? change = null)
    {
        lock (_gate)
        {
            if (!_queue.Remove(requestId))
            {
                return Task.FromResult<(bool, Offer?)>((false, null));
            }
            var offer = RemoveOffer(requestId);
            return Task.FromResult((true, offer));
        }
    }

    public Task<Offer?> EndAsync(string conversationId, ConversationChange? change = null)
    {
        lock (_gate)
        {
            _queue.Remove(conversationId);
            var offer = RemoveOffer(conversationId);
            foreach (var seat in _seats.Values.Where(s => s.Conversations.Contains(conversationId)).ToList())
            {
                _seats[seat.AgentId] = seat with { Conversations = Without(seat.Conversations, conversationId) };
            }
            return Task.FromResult(offer);
        }
    }

    public Task RequeueAsync(HelpRequest request, string fromAgentId, ConversationChange? change = null)
    {
        lock (_gate)
        {
            Change(fromAgentId, s => s with { Conversations = Without(s.Conversations, request.Id) });
            _queue[request.Id] = request;
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<HelpRequest>> ListQueueAsync()
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<HelpRequest>>(RoutingPolicy.QueueOrder(_queue.Values).ToList());
        }
    }

    public Task UpsertProfileAsync(AgentProfile profile)
    {
        lock (_gate)
        {
            _seats[profile.AgentId] = _seats.TryGetValue(profile.AgentId, out var seat)
                ? seat with { Profile = profile }
                : new AgentSeat { Profile = profile, Status = AgentStatus.Offline };
        }
        return Task.CompletedTask;
    }

    public Task<AgentSeat?> FindSeatAsync(string agentId)
    {
        lock (_gate)
        {
            return Task.FromResult(_seats.GetValueOrDefault(agentId));
        }
    }

    public Task<IReadOnlyList<AgentSeat>> ListSeatsAsync()
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<AgentSeat>>(_seats.Values.ToList());
        }
    }

    public Task<IReadOnlyList<AgentSeat>> ListAvailableSeatsAsync()
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<AgentSeat>>(_seats.Values.Where(s => s.IsAvailable).ToList());
        }
    }

    public Task SetStatusAsync(string agentId, AgentStatus status)
    {
        Change(agentId, s => s with { Status = status });
        return Task.CompletedTask;
    }

    public Task ConnectAsync(string agentId)
    {
        Change(agentId, s => s with { Connections = s.Connections + 1, DisconnectedAt = null });
        return Task.CompletedTask;
    }

    public Task DisconnectAsync(string agentId, DateTimeOffset now)
    {
        Change(agentId, s =>
        {
            var left = Math.Max(0, s.Connections - 1);
            // A repeated disconnect keeps the first time, so it cannot postpone the end of the grace period.
            return s with { Connections = left, DisconnectedAt = left == 0 ? s.DisconnectedAt ?? now : null };
        });
        return Task.CompletedTask;
    }

    public Task<Offer?> TryOfferAsync(string requestId, string agentId, DateTimeOffset deadline)
    {
        lock (_gate)
        {
            if (!_queue.TryGetValue(requestId, out var request) || _offersByRequest.ContainsKey(requestId)
                || !_seats.TryGetValue(agentId, out var seat) || !seat.HasRoomFor(request.Skill))
            {
                return Task.FromResult<Offer?>(null);
            }
            var offer = new Offer(requestId, agentId, deadline);
            _offersByRequest[requestId] = offer;
            _seats[agentId] = seat with { PendingOffers = seat.PendingOffers + 1 };
            return Task.FromResult<Offer?>(offer);
        }
    }

    public Task<IReadOnlyList<Offer>> ListOffersAsync()
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<Offer>>(_offersByRequest.Values.ToList());
        }
    }

    public Task<Offer?> TryWithdrawOfferAsync(string requestId, string agentId, DateTimeOffset passOverUntil)
    {
        lock (_gate)
        {
            if (!_offersByRequest.TryGetValue(requestId, out var offer) || offer.AgentId != agentId)
            {
                return Task.FromResult<Offer?>(null);
            }
            RemoveOffer(requestId);
            if (_queue.TryGetValue(requestId, out var request))
            {
                var passed = new Dictionary<string, DateTimeOffset>(request.PassedOver) { [agentId] = passOverUntil };
                _queue[requestId] = request with { PassedOver = passed };
            }
            return Task.FromResult<Offer?>(offer);
        }
    }

    public Task<bool> TryClaimAsync(string requestId, string agentId, bool requireOffer, DateTimeOffset now, ConversationChange? assign = null)
    {
        lock (_gate)
        {
            if (!_queue.TryGetValue(requestId, out var request) || !_seats.TryGetValue(agentId, out var seat))
            {
                return Task.FromResult(false);
            }
            var hasOffer = _offersByRequest.TryGetValue(requestId, out var offer);
            if (requireOffer ? !hasOffer || offer!.AgentId != agentId : hasOffer || !seat.HasRoomFor(request.Skill))
            {
                return Task.FromResult(false);
            }
            _queue.Remove(requestId);
            RemoveOffer(requestId);
            Change(agentId, s => s with { Conversations = With(s.Conversations, requestId), LastAssignedAt = now });
            return Task.FromResult(true);
        }
    }

    public Task<bool> TryAssignAsync(string conversationId, string agentId, DateTimeOffset now, string? fromAgentId = null, ConversationChange? change = null)
    {
        lock (_gate)
        {
            if (!_seats.TryGetValue(agentId, out var seat) || !seat.IsAvailable || seat.Load >= seat.Profile.MaxConcurrent)
            {
                return Task.FromResult(false);
            }
            if (fromAgentId is not null)
            {
                Change(fromAgentId, s => s with { Conversations = Without(s.Conversations, conversationId) });
            }
            _seats[agentId] = seat with { Conversations = With(seat.Conversations, conversationId), LastAssignedAt = now };
            return Task.FromResult(true);
        }
    }

    public Task AttachAsync(string conversationId, string agentId, DateTimeOffset now)
    {
        Change(agentId, s => s with
        {
            Conversations = With(s.Conversations, conversationId),
            DisconnectedAt = s.Connections == 0 ? s.DisconnectedAt ?? now : null,
        });
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<string>?> TryRetireAsync(string agentId, DateTimeOffset disconnectedBy)
    {
        lock (_gate)
        {
            if (!_seats.TryGetValue(agentId, out var seat) || seat.Connections > 0 || seat.DisconnectedAt is not { } at
                || at > disconnectedBy || (seat.Status == AgentStatus.Offline && seat.Conversations.Count == 0))
            {
                return Task.FromResult<IReadOnlyList<string>?>(null);
            }
            _seats[agentId] = seat with { Status = AgentStatus.Offline, Conversations = new HashSet<string>() };
            return Task.FromResult<IReadOnlyList<string>?>(seat.Conversations.Order(StringComparer.Ordinal).ToList());
        }
    }

    public Task ReleaseAsync(string agentId, string conversationId)
    {
        Change(agentId, s => s with { Conversations = Without(s.Conversations, conversationId) });
        return Task.CompletedTask;
    }

    private Offer? RemoveOffer(string requestId)
    {
        if (!_offersByRequest.Remove(requestId, out var offer))
        {
            return null;
        }
        Change(offer.AgentId, s => s with { PendingOffers = Math.Max(0, s.PendingOffers - 1) });
        return offer;
    }

    private void Change(string agentId, Func<AgentSeat, AgentSeat> change)
    {
        lock (_gate)
        {
            if (_seats.TryGetValue(agentId, out var seat))
            {
                _seats[agentId] = change(seat);
            }
        }
    }

    private static HashSet<string> With(IReadOnlySet<string> set, string item) => [.. set, item];

    private static HashSet<string> Without(IReadOnlySet<string> set, string item) => set.Where(c => c != item).ToHashSet();
}
