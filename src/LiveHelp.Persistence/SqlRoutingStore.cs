using System.Data.Common;
using System.Runtime.CompilerServices;
using LiveHelp.Core;
using LiveHelp.Core.Conversations;
using LiveHelp.Core.Routing;
using static LiveHelp.Persistence.SqlRecords;

namespace LiveHelp.Persistence;

/// <summary>
/// The routing state in the store of record, next to the conversations: queue, offers, seats, who holds what, and
/// the agents' connections per node. Every step that changes it is one transaction; a step that may raise an
/// agent's load locks the agent's seat row first, so two nodes can never push the same agent over their cap, and a
/// step on a request locks the request row first, so it is offered or claimed once. A step that changes its
/// conversation locks and writes the conversation's row in the same transaction, so the conversation and the routing
/// state never disagree. Row locks are taken request first, then seat, then conversation. Times are UTC ticks.
/// </summary>
public abstract partial class SqlRoutingStore : IRoutingStore, INodeLiveness
{
    private const string SeatColumns = """
        s.agent_id, s.display_name, s.skills, s.max_concurrent, s.auto_accept, s.status, s.disconnected_at, s.last_assigned_at,
        COALESCE((SELECT SUM(c.open_count) FROM routing_connections c WHERE c.agent_id = s.agent_id), 0) AS connections,
        (SELECT COUNT(*) FROM routing_requests r WHERE r.offer_agent_id = s.agent_id) AS pending_offers
        """;

    private const string RequestColumns = "id, skill, mode, priority, enqueued_at, requeued, transferred_from, transfer_note, offer_agent_id, offer_deadline";

    // This node's own connections per agent: what it re-records should another node have reaped it while it was only slow.
    private readonly Dictionary<string, int> _local = new(StringComparer.Ordinal);
    private readonly Lock _localGate = new();

    private protected SqlRoutingStore(string nodeId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nodeId);
        NodeId = nodeId;
    }

    public string NodeId { get; }

    /// <summary>The database behind this store, as its calls are measured: sqlite or postgresql.</summary>
    private protected abstract string Kind { get; }

    /// <summary>
    /// The migration that creates the routing tables, in each database's words for a key, text, integer, boolean and
    /// the table option, and fills them from the accounts and the active conversations, the grace period starting at
    /// <paramref name="nowTicks"/>.
    /// </summary>
    internal static string CreateTables(string key, string text, string integer, string boolean, string strict, string nowTicks) => $"""
        CREATE TABLE routing_seats (
            agent_id {key} NOT NULL PRIMARY KEY,
            display_name {text} NOT NULL,
            skills {text} NOT NULL,
            max_concurrent {integer} NOT NULL,
            auto_accept {boolean} NOT NULL,
            status {text} NOT NULL,
            disconnected_at {integer},
            last_assigned_at {integer}
        ){strict};

        CREATE TABLE routing_nodes (
            node_id {key} NOT NULL PRIMARY KEY,
            seen_at {integer} NOT NULL
        ){strict};

        CREATE TABLE routing_connections (
            agent_id {key} NOT NULL,
            node_id {key} NOT NULL,
            open_count {integer} NOT NULL,
            PRIMARY KEY (agent_id, node_id)
        ){strict};
        CREATE INDEX ix_routing_connections_node ON routing_connections (node_id);

        CREATE TABLE routing_requests (
            id {key} NOT NULL PRIMARY KEY,
            skill {text} NOT NULL,
            mode {text} NOT NULL,
            priority {integer} NOT NULL,
            enqueued_at {integer} NOT NULL,
            requeued {boolean} NOT NULL,
            offer_agent_id {key},
            offer_deadline {integer}
        ){strict};
        CREATE INDEX ix_routing_requests_offer ON routing_requests (offer_agent_id) WHERE offer_agent_id IS NOT NULL;

        CREATE TABLE routing_passed_over (
            request_id {key} NOT NULL,
            agent_id {key} NOT NULL,
            until_at {integer} NOT NULL,
            PRIMARY KEY (request_id, agent_id)
        ){strict};

        CREATE TABLE routing_holds (
            agent_id {key} NOT NULL,
            conversation_id {key} NOT NULL,
            PRIMARY KEY (agent_id, conversation_id)
        ){strict};
        CREATE INDEX ix_routing_holds_conversation ON routing_holds (conversation_id);

        -- Routing state kept elsewhere before: every account gets its seat, offline, and holds the conversations it
        -- is active in, with the grace period running from now; queued conversations are put back by the clock.
        INSERT INTO routing_seats (agent_id, display_name, skills, max_concurrent, auto_accept, status, disconnected_at, last_assigned_at)
        SELECT id, display_name, skills, max_concurrent, auto_accept, 'Offline', {nowTicks}, NULL FROM agents;
        INSERT INTO routing_holds (agent_id, conversation_id)
        SELECT agent_id, id FROM conversations WHERE status = 'Active' AND agent_id IN (SELECT id FROM agents);
        """;

    /// <summary>The migration that records who passed a request on to a team, and their note for the next agent.</summary>
    internal static string AddTransferredFrom(string key, string text) =>
        $"ALTER TABLE routing_requests ADD COLUMN transferred_from {key}; ALTER TABLE routing_requests ADD COLUMN transfer_note {text};";

    /// <summary>Appended to a SELECT that must lock the rows it reads until the transaction ends.</summary>
    private protected abstract string ForUpdate { get; }

    private protected abstract Task<DbConnection> OpenConnectionAsync(CancellationToken ct);

    /// <summary>A transaction that will write: in SQLite it takes the write lock at once.</summary>
    private protected abstract Task<DbTransaction> BeginAsync(DbConnection connection, CancellationToken ct);

    /// <summary>Waits until this store may write, when its database takes one writer at a time; null when it needs no turn.</summary>
    private protected virtual Task<IDisposable?> EnterWriteAsync() => Task.FromResult<IDisposable?>(null);

    /// <summary>A transaction that only reads, on one snapshot, without taking SQLite's write lock.</summary>
    private protected abstract Task<DbTransaction> BeginReadAsync(DbConnection connection, CancellationToken ct);

    /// <summary>True when the database gave up the transaction for another one (a deadlock), so it may simply run again.</summary>
    private protected abstract bool IsRetryable(DbException e);

    // Queue

    public Task EnqueueAsync(HelpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return InTransactionAsync(async (c, t) =>
        {
            await UpsertRequestAsync(c, t, request);
            return true;
        });
    }

    public Task<bool> TryReinstateAsync(HelpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return InTransactionAsync(async (c, t) =>
        {
            var added = await ExecuteAsync(c, t, $"""
                INSERT INTO routing_requests ({RequestColumns})
                SELECT @id, @skill, @mode, @priority, @enqueued_at, @requeued, @transferred_from, @transfer_note, NULL, NULL
                WHERE NOT EXISTS (SELECT 1 FROM routing_holds WHERE conversation_id = @id)
                ON CONFLICT (id) DO NOTHING;
                """, cmd => BindRequest(cmd, request));
            if (added == 1)
            {
                await AddPassedOverAsync(c, t, request);
            }
            return added == 1;
        });
    }

    public Task<HelpRequest?> FindRequestAsync(string requestId) =>
        ReadAsync(async (c, t) => (await ReadRequestsAsync(c, t, "WHERE id = @id", requestId)).FirstOrDefault()?.Request);

    public Task<(bool Removed, Offer? WithdrawnOffer)> TryDequeueAsync(string requestId, ConversationChange? change = null) =>
        InTransactionAsync<(bool, Offer?)>(async (c, t) =>
        {
            if (await LockRequestAsync(c, t, requestId) is not { } row)
            {
                return (false, null);
            }
            await DeleteRequestAsync(c, t, requestId);
            await ChangeConversationAsync(c, t, requestId, change);
            return (true, row.Offer);
        });

    public Task<Offer?> EndAsync(string conversationId, ConversationChange? change = null) =>
        InTransactionAsync(async (c, t) =>
        {
            var row = await LockRequestAsync(c, t, conversationId);
            await DeleteRequestAsync(c, t, conversationId);
            // Letting go lowers a load, so it needs no seat lock: only steps that raise one take it.
            await ExecuteAsync(c, t, "DELETE FROM routing_holds WHERE conversation_id = @id;", cmd => cmd.SetText("id", conversationId));
            await ChangeConversationAsync(c, t, conversationId, change);
            return row?.Offer;
        });

    public Task RequeueAsync(HelpRequest request, string fromAgentId, ConversationChange? change = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        return InTransactionAsync(async (c, t) =>
        {
            await ReleaseAsync(c, t, fromAgentId, request.Id);
            await UpsertRequestAsync(c, t, request);
            await ChangeConversationAsync(c, t, request.Id, change);
            return true;
        });
    }

    public Task<IReadOnlyList<HelpRequest>> ListQueueAsync() =>
        ReadAsync<IReadOnlyList<HelpRequest>>(async (c, t) =>
            RoutingPolicy.QueueOrder((await ReadRequestsAsync(c, t, "", null)).Select(r => r.Request)).ToList());

    // Seats

    public Task UpsertProfileAsync(AgentProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        return InTransactionAsync(async (c, t) => await ExecuteAsync(c, t, """
            INSERT INTO routing_seats (agent_id, display_name, skills, max_concurrent, auto_accept, status, disconnected_at, last_assigned_at)
            VALUES (@agent_id, @display_name, @skills, @max_concurrent, @auto_accept, @status, NULL, NULL)
            ON CONFLICT (agent_id) DO UPDATE SET display_name = excluded.display_name, skills = excluded.skills,
                max_concurrent = excluded.max_concurrent, auto_accept = excluded.auto_accept;
            """, cmd =>
            {
                cmd.SetText("agent_id", profile.AgentId);
                cmd.SetText("display_name", profile.DisplayName);
                cmd.SetJson("skills", profile.Skills.ToArray(), PersistenceJsonContext.Stored.StringArray);
                cmd.SetInteger("max_concurrent", profile.MaxConcurrent);
                cmd.SetBoolean("auto_accept", profile.AutoAccept);
                cmd.SetEnum("status", AgentStatus.Offline);
            }));
    }

    public Task<AgentSeat?> FindSeatAsync(string agentId) =>
        ReadAsync((c, t) => ReadSeatAsync(c, t, agentId, lockRow: false));

    public Task<IReadOnlyList<AgentSeat>> ListSeatsAsync() => ListSeatsAsync("");

    public Task<IReadOnlyList<AgentSeat>> ListAvailableSeatsAsync() => ListSeatsAsync(
        $"WHERE s.status = '{nameof(AgentStatus.Online)}' AND EXISTS (SELECT 1 FROM routing_connections c WHERE c.agent_id = s.agent_id AND c.open_count > 0)");

    private Task<IReadOnlyList<AgentSeat>> ListSeatsAsync(string where) =>
        ReadAsync<IReadOnlyList<AgentSeat>>(async (c, t) =>
        {
            var holds = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
            await QueryAsync(c, t, $"SELECT h.agent_id, h.conversation_id FROM routing_holds h JOIN routing_seats s ON s.agent_id = h.agent_id {where};", null, r =>
            {
                var agent = r.GetText("agent_id");
                if (!holds.TryGetValue(agent, out var set))
                {
                    holds[agent] = set = new HashSet<string>(StringComparer.Ordinal);
                }
                set.Add(r.GetText("conversation_id"));
            });
            var seats = new List<AgentSeat>();
            await QueryAsync(c, t, $"SELECT {SeatColumns} FROM routing_seats s {where} ORDER BY s.agent_id;", null,
                r => seats.Add(ReadSeat(r, holds.GetValueOrDefault(r.GetText("agent_id")) ?? [])));
            return seats;
        });

    public Task SetStatusAsync(string agentId, AgentStatus status) =>
        InTransactionAsync(async (c, t) => await ExecuteAsync(c, t, "UPDATE routing_seats SET status = @status WHERE agent_id = @agent_id;", cmd =>
        {
            cmd.SetText("agent_id", agentId);
            cmd.SetEnum("status", status);
        }));

    public async Task ConnectAsync(string agentId)
    {
        var counted = await InTransactionAsync(async (c, t) => await ExecuteAsync(c, t, """
            INSERT INTO routing_connections (agent_id, node_id, open_count)
            SELECT @agent_id, @node_id, 1 WHERE EXISTS (SELECT 1 FROM routing_seats WHERE agent_id = @agent_id)
            ON CONFLICT (agent_id, node_id) DO UPDATE SET open_count = routing_connections.open_count + 1;
            UPDATE routing_seats SET disconnected_at = NULL WHERE agent_id = @agent_id;
            """, cmd => BindAgentNode(cmd, agentId)));
        if (counted > 0)
        {
            lock (_localGate)
            {
                _local[agentId] = _local.GetValueOrDefault(agentId) + 1;
            }
        }
    }

    public async Task DisconnectAsync(string agentId, DateTimeOffset now)
    {
        await InTransactionAsync(async (c, t) =>
        {
            await ExecuteAsync(c, t, """
                UPDATE routing_connections SET open_count = open_count - 1 WHERE agent_id = @agent_id AND node_id = @node_id AND open_count > 0;
                DELETE FROM routing_connections WHERE agent_id = @agent_id AND node_id = @node_id AND open_count <= 0;
                """, cmd => BindAgentNode(cmd, agentId));
            return await StartGraceIfGoneAsync(c, t, agentId, now);
        });
        lock (_localGate)
        {
            if (_local.GetValueOrDefault(agentId) <= 1)
            {
                _local.Remove(agentId);
            }
            else
            {
                _local[agentId]--;
            }
        }
    }

    // Offers and claims

    public Task<Offer?> TryOfferAsync(string requestId, string agentId, DateTimeOffset deadline) =>
        InTransactionAsync<Offer?>(async (c, t) =>
        {
            if (await LockStepAsync(c, t, requestId, agentId, withConversation: false) is not { Request: { Offer: null } row, Seat: { } seat }
                || !seat.HasRoomFor(row.Request.Skill))
            {
                return null;
            }
            await ExecuteAsync(c, t, "UPDATE routing_requests SET offer_agent_id = @agent_id, offer_deadline = @deadline WHERE id = @id;", cmd =>
            {
                cmd.SetText("id", requestId);
                cmd.SetText("agent_id", agentId);
                cmd.SetInteger("deadline", deadline.UtcTicks);
            });
            return new Offer(requestId, agentId, deadline);
        });

    public Task<IReadOnlyList<Offer>> ListOffersAsync() =>
        ReadAsync<IReadOnlyList<Offer>>(async (c, t) =>
            (await ReadRequestsAsync(c, t, "WHERE offer_agent_id IS NOT NULL", null, withPassedOver: false)).Select(r => r.Offer!).ToList());

    public Task<Offer?> TryWithdrawOfferAsync(string requestId, string agentId, DateTimeOffset passOverUntil) =>
        InTransactionAsync<Offer?>(async (c, t) =>
        {
            if (await LockRequestAsync(c, t, requestId) is not { Offer: { } offer } || offer.AgentId != agentId)
            {
                return null;
            }
            await ExecuteAsync(c, t, """
                UPDATE routing_requests SET offer_agent_id = NULL, offer_deadline = NULL WHERE id = @id;
                INSERT INTO routing_passed_over (request_id, agent_id, until_at) VALUES (@id, @agent_id, @until)
                ON CONFLICT (request_id, agent_id) DO UPDATE SET until_at = excluded.until_at;
                """, cmd =>
                {
                    cmd.SetText("id", requestId);
                    cmd.SetText("agent_id", agentId);
                    cmd.SetInteger("until", passOverUntil.UtcTicks);
                });
            return offer;
        });

    public Task<bool> TryClaimAsync(string requestId, string agentId, bool requireOffer, DateTimeOffset now, ConversationChange? assign = null) =>
        InTransactionAsync(async (c, t) =>
        {
            if (await LockStepAsync(c, t, requestId, agentId, withConversation: assign is not null) is not { Request: { } row, Seat: { } seat } step)
            {
                return false;
            }
            var refused = requireOffer
                ? row.Offer?.AgentId != agentId
                : row.Offer is not null || !seat.HasRoomFor(row.Request.Skill);
            if (refused)
            {
                return false;
            }
            try
            {
                await WriteChangeAsync(c, t, step.Conversation, assign);
            }
            catch (LiveHelpException e) when (e.Code == ErrorCodes.OfferGone)
            {
                // The conversation stopped waiting (closed, cancelled) after the request was read: it leaves the queue for good.
                await DeleteRequestAsync(c, t, requestId);
                return false;
            }
            // The request leaves the queue and the seat takes it, in one round trip.
            await ExecuteAsync(c, t, DeleteRequestSql + HoldSql, cmd =>
            {
                cmd.SetText("id", requestId);
                BindHold(cmd, agentId, requestId, now);
            });
            return true;
        });

    public Task<bool> TryAssignAsync(string conversationId, string agentId, DateTimeOffset now, string? fromAgentId = null, ConversationChange? change = null) =>
        InTransactionAsync(async (c, t) =>
        {
            if (await ReadSeatAsync(c, t, agentId, lockRow: true) is not { IsAvailable: true } seat || seat.Load >= seat.Profile.MaxConcurrent)
            {
                return false;
            }
            if (fromAgentId is not null)
            {
                await ReleaseAsync(c, t, fromAgentId, conversationId);
            }
            await HoldAsync(c, t, agentId, conversationId, now);
            await ChangeConversationAsync(c, t, conversationId, change);
            return true;
        });

    public Task AttachAsync(string conversationId, string agentId, DateTimeOffset now) =>
        InTransactionAsync(async (c, t) =>
        {
            await ExecuteAsync(c, t, """
                INSERT INTO routing_holds (agent_id, conversation_id)
                SELECT @agent_id, @conversation_id WHERE EXISTS (SELECT 1 FROM routing_seats WHERE agent_id = @agent_id)
                ON CONFLICT (agent_id, conversation_id) DO NOTHING;
                """, cmd =>
                {
                    cmd.SetText("agent_id", agentId);
                    cmd.SetText("conversation_id", conversationId);
                });
            return await StartGraceIfGoneAsync(c, t, agentId, now);
        });

    public Task<IReadOnlyList<string>?> TryRetireAsync(string agentId, DateTimeOffset disconnectedBy) =>
        InTransactionAsync<IReadOnlyList<string>?>(async (c, t) =>
        {
            if (await ReadSeatAsync(c, t, agentId, lockRow: true) is not { Connections: 0, DisconnectedAt: { } at } seat || at > disconnectedBy
                || (seat.Status == AgentStatus.Offline && seat.Conversations.Count == 0))
            {
                return null;
            }
            await ExecuteAsync(c, t, "UPDATE routing_seats SET status = @status WHERE agent_id = @agent_id; DELETE FROM routing_holds WHERE agent_id = @agent_id;", cmd =>
            {
                cmd.SetText("agent_id", agentId);
                cmd.SetEnum("status", AgentStatus.Offline);
            });
            return seat.Conversations.Order(StringComparer.Ordinal).ToList();
        });

    public Task ReleaseAsync(string agentId, string conversationId) =>
        InTransactionAsync((c, t) => ReleaseAsync(c, t, agentId, conversationId));

    // Node liveness

    public async Task HeartbeatAsync(DateTimeOffset now)
    {
        Dictionary<string, int> local;
        lock (_localGate)
        {
            local = new Dictionary<string, int>(_local, StringComparer.Ordinal);
        }
        await InTransactionAsync(async (c, t) =>
        {
            var renewed = await ExecuteAsync(c, t, "UPDATE routing_nodes SET seen_at = @now WHERE node_id = @node_id;", cmd =>
            {
                cmd.SetText("node_id", NodeId);
                cmd.SetInteger("now", now.UtcTicks);
            });
            if (renewed > 0)
            {
                return true;
            }
            // New, or reaped while it was only slow: its connections go back in.
            await ExecuteAsync(c, t, "INSERT INTO routing_nodes (node_id, seen_at) VALUES (@node_id, @now);", cmd =>
            {
                cmd.SetText("node_id", NodeId);
                cmd.SetInteger("now", now.UtcTicks);
            });
            foreach (var (agentId, count) in local)
            {
                await ExecuteAsync(c, t, """
                    INSERT INTO routing_connections (agent_id, node_id, open_count)
                    SELECT @agent_id, @node_id, @count WHERE EXISTS (SELECT 1 FROM routing_seats WHERE agent_id = @agent_id)
                    ON CONFLICT (agent_id, node_id) DO UPDATE SET open_count = excluded.open_count;
                    UPDATE routing_seats SET disconnected_at = NULL WHERE agent_id = @agent_id;
                    """, cmd =>
                    {
                        BindAgentNode(cmd, agentId);
                        cmd.SetInteger("count", count);
                    });
            }
            await RecordCustomersAsync(c, t);
            return true;
        });
    }

    public async Task<IReadOnlyList<DeadNode>> ReapDeadNodesAsync(DateTimeOffset now, TimeSpan silence)
    {
        var stale = new List<string>();
        await ReadAsync(async (c, t) =>
        {
            await QueryAsync(c, t, "SELECT node_id FROM routing_nodes WHERE seen_at <= @cutoff AND node_id <> @node_id ORDER BY node_id;", cmd =>
            {
                cmd.SetText("node_id", NodeId);
                cmd.SetInteger("cutoff", (now - silence).UtcTicks);
            }, r => stale.Add(r.GetText("node_id")));
            // Connections of a node that never wrote a heartbeat (it died starting) count as dead too.
            await QueryAsync(c, t, "SELECT DISTINCT node_id FROM routing_connections WHERE node_id NOT IN (SELECT node_id FROM routing_nodes) AND node_id <> @node_id;",
                cmd => cmd.SetText("node_id", NodeId), r => stale.Add(r.GetText("node_id")));
            return true;
        });
        var dead = new List<DeadNode>();
        foreach (var nodeId in stale.Distinct(StringComparer.Ordinal))
        {
            var agents = await InTransactionAsync<IReadOnlyList<string>?>(async (c, t) =>
            {
                // Only the node that deletes the stale row reaps it, so each dead node is reaped once.
                var gone = await ExecuteAsync(c, t, "DELETE FROM routing_nodes WHERE node_id = @dead AND seen_at <= @cutoff;", cmd =>
                {
                    cmd.SetText("dead", nodeId);
                    cmd.SetInteger("cutoff", (now - silence).UtcTicks);
                });
                var alive = false;
                await QueryAsync(c, t, "SELECT node_id FROM routing_nodes WHERE node_id = @dead;", cmd => cmd.SetText("dead", nodeId), _ => alive = true);
                var agents = new List<string>();
                await QueryAsync(c, t, "SELECT agent_id FROM routing_connections WHERE node_id = @dead ORDER BY agent_id;",
                    cmd => cmd.SetText("dead", nodeId), r => agents.Add(r.GetText("agent_id")));
                if (alive || (gone == 0 && agents.Count == 0))
                {
                    return null;
                }
                await ExecuteAsync(c, t, "DELETE FROM routing_connections WHERE node_id = @dead;", cmd => cmd.SetText("dead", nodeId));
                foreach (var agentId in agents)
                {
                    await StartGraceIfGoneAsync(c, t, agentId, now);
                }
                return agents;
            });
            if (agents is not null)
            {
                dead.Add(new DeadNode(nodeId, agents));
            }
        }
        return dead;
    }

    public Task LeaveAsync() =>
        InTransactionAsync(async (c, t) => await ExecuteAsync(c, t, "UPDATE routing_nodes SET seen_at = 0 WHERE node_id = @node_id;",
            cmd => cmd.SetText("node_id", NodeId)));

    // Helpers

    private static Task<int> ReleaseAsync(DbConnection c, DbTransaction t, string agentId, string conversationId) =>
        ExecuteAsync(c, t, "DELETE FROM routing_holds WHERE agent_id = @agent_id AND conversation_id = @conversation_id;", cmd =>
        {
            cmd.SetText("agent_id", agentId);
            cmd.SetText("conversation_id", conversationId);
        });

    private static async Task UpsertRequestAsync(DbConnection c, DbTransaction t, HelpRequest request)
    {
        await ExecuteAsync(c, t, $"""
            INSERT INTO routing_requests ({RequestColumns})
            VALUES (@id, @skill, @mode, @priority, @enqueued_at, @requeued, @transferred_from, @transfer_note, NULL, NULL)
            ON CONFLICT (id) DO UPDATE SET skill = excluded.skill, mode = excluded.mode, priority = excluded.priority,
                enqueued_at = excluded.enqueued_at, requeued = excluded.requeued,
                transferred_from = excluded.transferred_from, transfer_note = excluded.transfer_note;
            DELETE FROM routing_passed_over WHERE request_id = @id;
            """, cmd => BindRequest(cmd, request));
        await AddPassedOverAsync(c, t, request);
    }

    private static Task<int> DeleteRequestAsync(DbConnection c, DbTransaction t, string requestId) =>
        ExecuteAsync(c, t, DeleteRequestSql, cmd => cmd.SetText("id", requestId));

    private static readonly string UpdateConversation =
        $"UPDATE conversations SET {Conversations.Assignments(column => column == "version" ? "version + 1" : KeepPresence(column))} WHERE id = @id AND version = @version;";

    /// <summary>
    /// Applies the step's change to its conversation, locked for the rest of the step; a refusal by the conversation's
    /// guard throws and so rolls the whole step back. Skipped for a conversation the store does not hold.
    /// </summary>
    private async Task ChangeConversationAsync(DbConnection c, DbTransaction t, string conversationId, ConversationChange? change)
    {
        if (change is null)
        {
            return;
        }
        Conversation? stored = null;
        await QueryAsync(c, t, $"{Conversations.Select} WHERE id = @id{ForUpdate};", cmd => cmd.SetText("id", conversationId), r => stored = ReadConversation(r));
        await WriteChangeAsync(c, t, stored, change);
    }

    /// <summary>Writes the change of a conversation this step has locked and read; nothing when there is none.</summary>
    private static async Task WriteChangeAsync(DbConnection c, DbTransaction t, Conversation? stored, ConversationChange? change)
    {
        if (stored is null || change is null)
        {
            return;
        }
        var changed = change(stored);
        if (await ExecuteAsync(c, t, UpdateConversation, cmd => Bind(cmd, changed with { Version = stored.Version })) != 1)
        {
            throw new LiveHelpException(ErrorCodes.Conflict, "the conversation is being changed by someone else; try again");
        }
    }

    private async Task<bool> StartGraceIfGoneAsync(DbConnection c, DbTransaction t, string agentId, DateTimeOffset now)
    {
        // A repeated disconnect keeps the first time, so it cannot postpone the end of the grace period.
        await ExecuteAsync(c, t, """
            UPDATE routing_seats SET disconnected_at = COALESCE(disconnected_at, @now)
            WHERE agent_id = @agent_id AND NOT EXISTS (SELECT 1 FROM routing_connections WHERE agent_id = @agent_id AND open_count > 0);
            """, cmd =>
            {
                cmd.SetText("agent_id", agentId);
                cmd.SetInteger("now", now.UtcTicks);
            });
        return true;
    }

    private const string HoldSql = """
        INSERT INTO routing_holds (agent_id, conversation_id) VALUES (@agent_id, @conversation_id) ON CONFLICT (agent_id, conversation_id) DO NOTHING;
        UPDATE routing_seats SET last_assigned_at = @now WHERE agent_id = @agent_id;
        """;

    private const string DeleteRequestSql = "DELETE FROM routing_requests WHERE id = @id; DELETE FROM routing_passed_over WHERE request_id = @id;";

    private static Task<int> HoldAsync(DbConnection c, DbTransaction t, string agentId, string conversationId, DateTimeOffset now) =>
        ExecuteAsync(c, t, HoldSql, cmd => BindHold(cmd, agentId, conversationId, now));

    private static void BindHold(DbCommand cmd, string agentId, string conversationId, DateTimeOffset now)
    {
        cmd.SetText("agent_id", agentId);
        cmd.SetText("conversation_id", conversationId);
        cmd.SetInteger("now", now.UtcTicks);
    }

    private sealed record RequestRow(HelpRequest Request, Offer? Offer);

    // The steps that lock a request decide on its skill and offer only, so its passed-over agents are not read.
    private async Task<RequestRow?> LockRequestAsync(DbConnection c, DbTransaction t, string requestId) =>
        (await ReadRequestsAsync(c, t, "WHERE id = @id", requestId, ForUpdate, withPassedOver: false)).FirstOrDefault();

    private static async Task<IReadOnlyList<RequestRow>> ReadRequestsAsync(
        DbConnection c, DbTransaction t, string where, string? id, string suffix = "", bool withPassedOver = true)
    {
        var rows = new List<RequestRow>();
        await QueryAsync(c, t, $"SELECT {RequestColumns} FROM routing_requests {where}{suffix};", id is null ? null : cmd => cmd.SetText("id", id),
            r => rows.Add(ReadRequest(r)));
        if (rows.Count == 0 || !withPassedOver)
        {
            return rows;
        }
        var passed = new Dictionary<string, Dictionary<string, DateTimeOffset>>(StringComparer.Ordinal);
        await QueryAsync(c, t, $"SELECT request_id, agent_id, until_at FROM routing_passed_over {(id is null ? "" : "WHERE request_id = @id")};",
            id is null ? null : cmd => cmd.SetText("id", id), r =>
            {
                var requestId = r.GetText("request_id");
                if (!passed.TryGetValue(requestId, out var map))
                {
                    passed[requestId] = map = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
                }
                map[r.GetText("agent_id")] = Time(r.GetInteger("until_at"));
            });
        return rows.Select(row => passed.TryGetValue(row.Request.Id, out var map) ? row with { Request = row.Request with { PassedOver = map } } : row).ToList();
    }

    private static RequestRow ReadRequest(DbDataReader r)
    {
        var id = r.GetText("id");
        var request = new HelpRequest
        {
            Id = id,
            Skill = r.GetText("skill"),
            Mode = r.GetEnum<HelpMode>("mode"),
            Priority = (int)r.GetInteger("priority"),
            EnqueuedAt = Time(r.GetInteger("enqueued_at")),
            Requeued = r.GetBoolean("requeued"),
            TransferredFrom = r.GetNullableText("transferred_from"),
            TransferNote = r.GetNullableText("transfer_note"),
        };
        return new RequestRow(request, OfferOf(id, r.GetNullableText("offer_agent_id"), r.GetNullableInteger("offer_deadline")));
    }

    private sealed record StepRows(RequestRow? Request, AgentSeat? Seat, Conversation? Conversation);

    /// <summary>
    /// Locks and reads the request row, then the seat row, then (<paramref name="withConversation"/>) the conversation
    /// row, in one round trip: the seat is locked even when the request is gone, which costs nothing, and each
    /// statement reads after the locks of the ones before it were granted. Passed-over agents are not read: the steps
    /// that lock a request decide on its skill and offer only.
    /// </summary>
    private async Task<StepRows> LockStepAsync(DbConnection c, DbTransaction t, string requestId, string agentId, bool withConversation)
    {
        await using var cmd = c.Command($"""
            SELECT {RequestColumns} FROM routing_requests WHERE id = @id{ForUpdate};
            SELECT agent_id FROM routing_seats WHERE agent_id = @agent_id{ForUpdate};
            SELECT conversation_id FROM routing_holds WHERE agent_id = @agent_id;
            SELECT {SeatColumns} FROM routing_seats s WHERE s.agent_id = @agent_id;
            {(withConversation ? $"{Conversations.Select} WHERE id = @id{ForUpdate};" : "")}
            """, t);
        cmd.SetText("id", requestId);
        cmd.SetText("agent_id", agentId);
        await using var r = await cmd.ExecuteReaderAsync();
        var request = await r.ReadAsync() ? ReadRequest(r) : null;
        await r.NextResultAsync();
        await r.NextResultAsync();
        var holds = new HashSet<string>(StringComparer.Ordinal);
        while (await r.ReadAsync())
        {
            holds.Add(r.GetText("conversation_id"));
        }
        await r.NextResultAsync();
        var seat = await r.ReadAsync() ? ReadSeat(r, holds) : null;
        var conversation = withConversation && await r.NextResultAsync() && await r.ReadAsync() ? ReadConversation(r) : null;
        return new StepRows(request, seat, conversation);
    }

    private static Offer? OfferOf(string requestId, string? agentId, long? deadline) =>
        agentId is { } agent ? new Offer(requestId, agent, Time(deadline ?? 0)) : null;

    private async Task<AgentSeat?> ReadSeatAsync(DbConnection c, DbTransaction t, string agentId, bool lockRow)
    {
        if (lockRow && ForUpdate.Length > 0)
        {
            // Locks the seat before its load is counted: every step that adds to that load takes this lock first. A statement
            // of its own, so the counts below are read after the lock is granted, not on the snapshot taken before the wait.
            await ExecuteAsync(c, t, $"SELECT agent_id FROM routing_seats WHERE agent_id = @agent_id{ForUpdate};", cmd => cmd.SetText("agent_id", agentId));
        }
        var holds = new HashSet<string>(StringComparer.Ordinal);
        await QueryAsync(c, t, "SELECT conversation_id FROM routing_holds WHERE agent_id = @agent_id;",
            cmd => cmd.SetText("agent_id", agentId), r => holds.Add(r.GetText("conversation_id")));
        AgentSeat? seat = null;
        await QueryAsync(c, t, $"SELECT {SeatColumns} FROM routing_seats s WHERE s.agent_id = @agent_id;",
            cmd => cmd.SetText("agent_id", agentId), r => seat = ReadSeat(r, holds));
        return seat;
    }

    private static AgentSeat ReadSeat(DbDataReader r, HashSet<string> holds) => new()
    {
        Profile = new AgentProfile(
            r.GetText("agent_id"),
            r.GetText("display_name"),
            r.GetJson("skills", PersistenceJsonContext.Stored.StringArray),
            (int)r.GetInteger("max_concurrent"),
            r.GetBoolean("auto_accept")),
        Status = r.GetEnum<AgentStatus>("status"),
        Connections = (int)r.GetInteger("connections"),
        DisconnectedAt = r.GetNullableInteger("disconnected_at") is { } d ? Time(d) : null,
        LastAssignedAt = r.GetNullableInteger("last_assigned_at") is { } l ? Time(l) : null,
        Conversations = holds,
        PendingOffers = (int)r.GetInteger("pending_offers"),
    };

    private static async Task AddPassedOverAsync(DbConnection c, DbTransaction t, HelpRequest request)
    {
        foreach (var (agentId, until) in request.PassedOver)
        {
            await ExecuteAsync(c, t, "INSERT INTO routing_passed_over (request_id, agent_id, until_at) VALUES (@id, @agent_id, @until);", cmd =>
            {
                cmd.SetText("id", request.Id);
                cmd.SetText("agent_id", agentId);
                cmd.SetInteger("until", until.UtcTicks);
            });
        }
    }

    private static void BindRequest(DbCommand cmd, HelpRequest request)
    {
        cmd.SetText("id", request.Id);
        cmd.SetText("skill", request.Skill);
        cmd.SetEnum("mode", request.Mode);
        cmd.SetInteger("priority", request.Priority);
        cmd.SetInteger("enqueued_at", request.EnqueuedAt.UtcTicks);
        cmd.SetBoolean("requeued", request.Requeued);
        cmd.SetText("transferred_from", request.TransferredFrom);
        cmd.SetText("transfer_note", request.TransferNote);
    }

    private void BindAgentNode(DbCommand cmd, string agentId)
    {
        cmd.SetText("agent_id", agentId);
        cmd.SetText("node_id", NodeId);
    }

    private static DateTimeOffset Time(long ticks) => new(ticks, TimeSpan.Zero);

    private static async Task<int> ExecuteAsync(DbConnection c, DbTransaction t, string sql, Action<DbCommand> bind)
    {
        await using var cmd = c.Command(sql, t);
        bind(cmd);
        return await cmd.ExecuteNonQueryAsync();
    }

    private static async Task QueryAsync(DbConnection c, DbTransaction t, string sql, Action<DbCommand>? bind, Action<DbDataReader> read)
    {
        await using var cmd = c.Command(sql, t);
        bind?.Invoke(cmd);
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            read(reader);
        }
    }

    /// <summary>Runs a routing step as one transaction, again from the start if the database chose it as a deadlock's victim.</summary>
    private async Task<T> InTransactionAsync<T>(Func<DbConnection, DbTransaction, Task<T>> step, [CallerMemberName] string operation = "")
    {
        using var call = StoreTelemetry.Start(Kind, operation);
        for (var attempt = 1; ; attempt++)
        {
            using var turn = await EnterWriteAsync();
            await using var connection = await OpenConnectionAsync(CancellationToken.None);
            await using var transaction = await BeginAsync(connection, CancellationToken.None);
            try
            {
                var result = await step(connection, transaction);
                await transaction.CommitAsync();
                return result;
            }
            catch (DbException e) when (attempt < 5 && IsRetryable(e))
            {
                // The transaction was rolled back whole; nothing of it stands.
            }
        }
    }

    /// <summary>Reads in one transaction, so the rows of several tables agree with each other.</summary>
    private async Task<T> ReadAsync<T>(Func<DbConnection, DbTransaction, Task<T>> read, [CallerMemberName] string operation = "")
    {
        using var call = StoreTelemetry.Start(Kind, operation);
        await using var connection = await OpenConnectionAsync(CancellationToken.None);
        await using var transaction = await BeginReadAsync(connection, CancellationToken.None);
        var result = await read(connection, transaction);
        await transaction.CommitAsync();
        return result;
    }
}
