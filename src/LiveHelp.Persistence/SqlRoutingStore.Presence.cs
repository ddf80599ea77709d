using System.Data.Common;
using LiveHelp.Core.Conversations;
using static LiveHelp.Persistence.SqlRecords;

namespace LiveHelp.Persistence;

// Customer presence: each node counts its customer connections in customer_connections, next to its agents' ones, and
// a connection counts only while its node is alive; a conversation's presence changes only in conditional statements.
public abstract partial class SqlRoutingStore : ICustomerPresenceStore
{
    private const string OpenStatus = "status IN ('Queued', 'Active')";

    // Open conversations whose customer has had no connection on a live node since @left_by: no open one, none closed later.
    private const string GoneNow = $"""
        {OpenStatus} AND customer_presence <> 'Gone' AND created_at <= @left_by
            AND NOT EXISTS (SELECT 1 FROM customer_connections k JOIN routing_nodes n ON n.node_id = k.node_id
                WHERE k.visitor_id = conversations.visitor_id AND n.seen_at > @alive_after AND (k.open_count > 0 OR k.left_at > @left_by))
        """;

    // Connection rows that no longer tell anything: closed before the grace, or of a node found dead.
    private const string Forgotten = "(open_count = 0 AND left_at <= @left_by) OR node_id NOT IN (SELECT node_id FROM routing_nodes)";

    // This node's own connections per visitor: what it re-records should another node have reaped it while it was only slow.
    private readonly Dictionary<string, int> _localCustomers = new(StringComparer.Ordinal);

    /// <summary>
    /// The migration that keeps each conversation's customer presence (here, away, gone; since when; whether their
    /// leaving was told) and the customers' connections per node, in each database's words.
    /// </summary>
    internal static string AddCustomerPresence(string key, string text, string integer, string offset, string boolean, string strict) => $"""
        ALTER TABLE conversations ADD COLUMN customer_presence {text} NOT NULL DEFAULT 'Here';
        ALTER TABLE conversations ADD COLUMN customer_presence_at {integer} NOT NULL DEFAULT 0;
        ALTER TABLE conversations ADD COLUMN customer_presence_at_offset {offset} NOT NULL DEFAULT 0;
        ALTER TABLE conversations ADD COLUMN customer_left_told {boolean} NOT NULL DEFAULT FALSE;
        UPDATE conversations SET customer_presence_at = created_at, customer_presence_at_offset = created_at_offset;

        CREATE TABLE customer_connections (
            visitor_id {key} NOT NULL,
            node_id {key} NOT NULL,
            open_count {integer} NOT NULL,
            left_at {integer},
            PRIMARY KEY (visitor_id, node_id)
        ){strict};
        CREATE INDEX ix_customer_connections_node ON customer_connections (node_id);
        """;

    public async Task<IReadOnlyList<Conversation>> CustomerConnectedAsync(string visitorId, DateTimeOffset now)
    {
        var back = await InTransactionAsync(async (c, t) =>
        {
            await ExecuteAsync(c, t, """
                INSERT INTO customer_connections (visitor_id, node_id, open_count, left_at) VALUES (@visitor_id, @node_id, 1, NULL)
                ON CONFLICT (visitor_id, node_id) DO UPDATE SET open_count = customer_connections.open_count + 1, left_at = NULL;
                """, cmd => BindVisitorNode(cmd, visitorId));
            return await ChangePresenceAsync(c, t, $"visitor_id = @visitor_id AND customer_presence = 'Gone'", CustomerPresence.Here, now,
                cmd => cmd.SetText("visitor_id", visitorId));
        });
        lock (_localGate)
        {
            _localCustomers[visitorId] = _localCustomers.GetValueOrDefault(visitorId) + 1;
        }
        return back;
    }

    public async Task CustomerDisconnectedAsync(string visitorId, DateTimeOffset now)
    {
        // The customer is not gone yet: the clock finds them gone once no live node has held a connection of theirs for the grace period.
        await InTransactionAsync(async (c, t) => await ExecuteAsync(c, t, """
            UPDATE customer_connections SET open_count = open_count - 1, left_at = @now
            WHERE visitor_id = @visitor_id AND node_id = @node_id AND open_count > 0;
            """, cmd =>
            {
                BindVisitorNode(cmd, visitorId);
                cmd.SetInteger("now", now.UtcTicks);
            }));
        lock (_localGate)
        {
            if (_localCustomers.GetValueOrDefault(visitorId) <= 1)
            {
                _localCustomers.Remove(visitorId);
            }
            else
            {
                _localCustomers[visitorId]--;
            }
        }
    }

    public async Task<Conversation?> ReportAsync(string conversationId, CustomerPresence presence, DateTimeOffset now) =>
        (await InTransactionAsync((c, t) => ChangePresenceAsync(c, t, "id = @id AND customer_presence <> @presence", presence, now,
            cmd => cmd.SetText("id", conversationId)))).FirstOrDefault();

    public async Task<IReadOnlyList<Conversation>> MarkGoneAsync(DateTimeOffset now, DateTimeOffset leftBy, DateTimeOffset aliveAfter)
    {
        void Bind(DbCommand cmd)
        {
            cmd.SetInteger("now", now.UtcTicks);
            cmd.SetInteger("left_by", leftBy.UtcTicks);
            cmd.SetInteger("alive_after", aliveAfter.UtcTicks);
        }
        // Most ticks find nothing to do: a read says so without taking SQLite's write lock.
        if (!await ExistsAsync($"""
            SELECT 1 FROM conversations WHERE {GoneNow}
            UNION ALL SELECT 1 FROM customer_connections WHERE {Forgotten}
            """, Bind))
        {
            return [];
        }
        return await InTransactionAsync(async (c, t) =>
        {
            var gone = new List<Conversation>();
            // Gone since the last connection closed; since now when it went with its node.
            await QueryAsync(c, t, $"""
                UPDATE conversations SET customer_presence = 'Gone', customer_presence_at_offset = 0,
                    customer_presence_at = COALESCE((SELECT MAX(k.left_at) FROM customer_connections k
                        WHERE k.visitor_id = conversations.visitor_id AND k.open_count = 0), @now)
                WHERE {GoneNow}
                RETURNING {Conversations.ColumnList};
                """, Bind, r => gone.Add(ReadConversation(r)));
            // What no longer tells anything: connections closed before the grace, and those of nodes found dead.
            await ExecuteAsync(c, t, $"DELETE FROM customer_connections WHERE {Forgotten};", Bind);
            return (IReadOnlyList<Conversation>)gone;
        });
    }

    public async Task<IReadOnlyList<Conversation>> TakeLeftUntoldAsync(DateTimeOffset goneBy)
    {
        const string Untold = $"{OpenStatus} AND customer_presence = 'Gone' AND customer_presence_at <= @gone_by AND customer_left_told = FALSE";
        void Bind(DbCommand cmd) => cmd.SetInteger("gone_by", goneBy.UtcTicks);
        if (!await ExistsAsync($"SELECT 1 FROM conversations WHERE {Untold}", Bind))
        {
            return [];
        }
        return await InTransactionAsync(async (c, t) =>
        {
            var untold = new List<Conversation>();
            await QueryAsync(c, t, $"UPDATE conversations SET customer_left_told = TRUE WHERE {Untold} RETURNING {Conversations.ColumnList};",
                Bind, r => untold.Add(ReadConversation(r)));
            return (IReadOnlyList<Conversation>)untold;
        });
    }

    public Task<IReadOnlyList<Conversation>> ListGoneAsync(DateTimeOffset goneBy) =>
        ReadAsync(async (c, t) =>
        {
            var gone = new List<Conversation>();
            await QueryAsync(c, t, $"{Conversations.Select} WHERE {OpenStatus} AND customer_presence = 'Gone' AND customer_presence_at <= @gone_by ORDER BY id;",
                cmd => cmd.SetInteger("gone_by", goneBy.UtcTicks), r => gone.Add(ReadConversation(r)));
            return (IReadOnlyList<Conversation>)gone;
        });

    private Task<bool> ExistsAsync(string sql, Action<DbCommand> bind) =>
        ReadAsync(async (c, t) =>
        {
            var found = false;
            await QueryAsync(c, t, $"SELECT EXISTS ({sql});", bind, r => found = r.GetBoolean(0));
            return found;
        });

    /// <summary>Sets the presence of the open conversations <paramref name="where"/> selects; coming back (or reporting) makes leaving worth telling again.</summary>
    private static async Task<IReadOnlyList<Conversation>> ChangePresenceAsync(
        DbConnection c, DbTransaction t, string where, CustomerPresence presence, DateTimeOffset now, Action<DbCommand> bind)
    {
        var changed = new List<Conversation>();
        await QueryAsync(c, t, $"""
            UPDATE conversations SET customer_presence = @presence, customer_presence_at = @now, customer_presence_at_offset = 0, customer_left_told = FALSE
            WHERE {OpenStatus} AND {where}
            RETURNING {Conversations.ColumnList};
            """, cmd =>
            {
                bind(cmd);
                cmd.SetEnum("presence", presence);
                cmd.SetInteger("now", now.UtcTicks);
            }, r => changed.Add(ReadConversation(r)));
        return changed;
    }

    /// <summary>Puts this node's customer connections back after another node reaped it while it was only slow.</summary>
    private async Task RecordCustomersAsync(DbConnection c, DbTransaction t)
    {
        Dictionary<string, int> local;
        lock (_localGate)
        {
            local = new Dictionary<string, int>(_localCustomers, StringComparer.Ordinal);
        }
        foreach (var (visitorId, count) in local)
        {
            await ExecuteAsync(c, t, """
                INSERT INTO customer_connections (visitor_id, node_id, open_count, left_at) VALUES (@visitor_id, @node_id, @count, NULL)
                ON CONFLICT (visitor_id, node_id) DO UPDATE SET open_count = excluded.open_count, left_at = NULL;
                """, cmd =>
                {
                    BindVisitorNode(cmd, visitorId);
                    cmd.SetInteger("count", count);
                });
        }
    }

    private void BindVisitorNode(DbCommand cmd, string visitorId)
    {
        cmd.SetText("visitor_id", visitorId);
        cmd.SetText("node_id", NodeId);
    }
}
