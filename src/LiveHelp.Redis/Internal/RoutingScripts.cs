using LiveHelp.Core;

namespace LiveHelp.Redis.Internal;

/// <summary>
/// One Lua script per routing transition. Redis runs a script alone, so each check-and-change is atomic across
/// nodes: the same rules as <c>InMemoryRoutingStore</c>, with the Redis server as the lock.
/// </summary>
internal static class RoutingScripts
{
    private static readonly string Prelude = $$"""
        local ONLINE = {{(int)AgentStatus.Online}}
        local OFFLINE = {{(int)AgentStatus.Offline}}

        local function read(key, field)
          local raw = redis.call('HGET', key, field)
          if raw then return cjson.decode(raw) end
          return nil
        end

        local function write(key, field, value)
          redis.call('HSET', key, field, cjson.encode(value))
        end

        local function count(map)
          local n = 0
          for _ in pairs(map) do n = n + 1 end
          return n
        end

        local function load_of(seat)
          return count(seat.conversations) + seat.offers
        end

        local function is_available(seat)
          return seat.status == ONLINE and seat.connections > 0
        end

        local function has_room_for(seat, skill_key)
          return is_available(seat) and load_of(seat) < seat.max and seat.skills[skill_key] == true
        end

        -- Timestamps start with their UTC ticks in 19 digits: comparing those prefixes compares the instants.
        local function utc(at)
          return string.sub(at, 1, 19)
        end

        -- The last connection gone starts the grace period; an earlier start is kept so it cannot be postponed.
        local function set_connections(seat, n, now)
          seat.connections = math.max(0, n)
          if seat.connections == 0 then
            seat.disconnected = seat.disconnected or now
          else
            seat.disconnected = nil
          end
        end

        local function remove_offer(offers, seats, request_id)
          local raw = redis.call('HGET', offers, request_id)
          if not raw then return nil end
          redis.call('HDEL', offers, request_id)
          local offer = cjson.decode(raw)
          local seat = read(seats, offer.agent)
          if seat then
            seat.offers = math.max(0, seat.offers - 1)
            write(seats, offer.agent, seat)
          end
          return raw
        end

        """;

    /// <summary>KEYS: requests, offers, seats. ARGV: request id. Returns nil when not queued, else the withdrawn offer or "".</summary>
    public static readonly string Dequeue = Prelude + """
        if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return nil end
        return remove_offer(KEYS[2], KEYS[3], ARGV[1]) or ''
        """;

    /// <summary>KEYS: requests, seats. ARGV: request id, request JSON. Returns 1 when queued: it was neither queued nor held by an agent.</summary>
    public static readonly string Reinstate = Prelude + """
        if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
        local seats = redis.call('HVALS', KEYS[2])
        for i = 1, #seats do
          if cjson.decode(seats[i]).conversations[ARGV[1]] then return 0 end
        end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
        return 1
        """;

    /// <summary>KEYS: seats. ARGV: agent id, profile JSON, cap, skill keys JSON.</summary>
    public static readonly string UpsertProfile = Prelude + """
        local seat = read(KEYS[1], ARGV[1])
        if not seat then
          seat = { status = OFFLINE, connections = 0, conversations = {}, offers = 0 }
        end
        seat.profile = ARGV[2]
        seat.max = tonumber(ARGV[3])
        seat.skills = cjson.decode(ARGV[4])
        write(KEYS[1], ARGV[1], seat)
        return 1
        """;

    /// <summary>KEYS: seats. ARGV: agent id, status.</summary>
    public static readonly string SetStatus = Prelude + """
        local seat = read(KEYS[1], ARGV[1])
        if not seat then return 0 end
        seat.status = tonumber(ARGV[2])
        write(KEYS[1], ARGV[1], seat)
        return 1
        """;

    /// <summary>KEYS: seats, this node's agents, nodes. ARGV: agent id, node id. Returns 1 when counted.</summary>
    public static readonly string Connect = Prelude + """
        local seat = read(KEYS[1], ARGV[1])
        if not seat then return 0 end
        set_connections(seat, seat.connections + 1, nil)
        write(KEYS[1], ARGV[1], seat)
        redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
        redis.call('SADD', KEYS[3], ARGV[2])
        return 1
        """;

    /// <summary>
    /// KEYS: seats, this node's agents. ARGV: agent id, now. Only a connection this node still holds is taken away:
    /// one that a survivor already reaped, or that lives on another node, is not taken twice.
    /// </summary>
    public static readonly string Disconnect = Prelude + """
        local seat = read(KEYS[1], ARGV[1])
        if not seat then return 0 end
        local held = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
        local n = seat.connections
        if held > 0 then
          n = n - 1
          if held == 1 then
            redis.call('HDEL', KEYS[2], ARGV[1])
          else
            redis.call('HINCRBY', KEYS[2], ARGV[1], -1)
          end
        end
        set_connections(seat, n, ARGV[2])
        write(KEYS[1], ARGV[1], seat)
        return held > 0 and 1 or 0
        """;

    /// <summary>KEYS: requests, offers, seats. ARGV: request id, agent id, deadline. Returns 1 when offered.</summary>
    public static readonly string Offer = Prelude + """
        local request = read(KEYS[1], ARGV[1])
        if not request or redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return 0 end
        local seat = read(KEYS[3], ARGV[2])
        if not seat or not has_room_for(seat, request.skillKey) then return 0 end
        redis.call('HSET', KEYS[2], ARGV[1], cjson.encode({ request = ARGV[1], agent = ARGV[2], deadline = ARGV[3] }))
        seat.offers = seat.offers + 1
        write(KEYS[3], ARGV[2], seat)
        return 1
        """;

    /// <summary>KEYS: requests, offers, seats. ARGV: request id, agent id, passed over until. Returns the withdrawn offer or nil.</summary>
    public static readonly string Withdraw = Prelude + """
        local raw = redis.call('HGET', KEYS[2], ARGV[1])
        if not raw or cjson.decode(raw).agent ~= ARGV[2] then return nil end
        remove_offer(KEYS[2], KEYS[3], ARGV[1])
        local request = read(KEYS[1], ARGV[1])
        if request then
          request.passedOver[ARGV[2]] = ARGV[3]
          write(KEYS[1], ARGV[1], request)
        end
        return raw
        """;

    /// <summary>KEYS: requests, offers, seats. ARGV: request id, agent id, "1" when the offer is required, now. Returns 1 when claimed.</summary>
    public static readonly string Claim = Prelude + """
        local request = read(KEYS[1], ARGV[1])
        local seat = read(KEYS[3], ARGV[2])
        if not request or not seat then return 0 end
        local raw = redis.call('HGET', KEYS[2], ARGV[1])
        if ARGV[3] == '1' then
          if not raw or cjson.decode(raw).agent ~= ARGV[2] then return 0 end
        elseif raw or not has_room_for(seat, request.skillKey) then
          return 0
        end
        redis.call('HDEL', KEYS[1], ARGV[1])
        remove_offer(KEYS[2], KEYS[3], ARGV[1])
        seat = read(KEYS[3], ARGV[2])
        seat.conversations[ARGV[1]] = true
        seat.assigned = ARGV[4]
        write(KEYS[3], ARGV[2], seat)
        return 1
        """;

    /// <summary>KEYS: seats. ARGV: conversation id, agent id, now. Returns 1 when assigned.</summary>
    public static readonly string Assign = Prelude + """
        local seat = read(KEYS[1], ARGV[2])
        if not seat or not is_available(seat) or load_of(seat) >= seat.max then return 0 end
        seat.conversations[ARGV[1]] = true
        seat.assigned = ARGV[3]
        write(KEYS[1], ARGV[2], seat)
        return 1
        """;

    /// <summary>KEYS: seats. ARGV: conversation id, agent id, now.</summary>
    public static readonly string Attach = Prelude + """
        local seat = read(KEYS[1], ARGV[2])
        if not seat then return 0 end
        seat.conversations[ARGV[1]] = true
        set_connections(seat, seat.connections, ARGV[3])
        write(KEYS[1], ARGV[2], seat)
        return 1
        """;

    /// <summary>KEYS: seats. ARGV: agent id, conversation id.</summary>
    public static readonly string Release = Prelude + """
        local seat = read(KEYS[1], ARGV[1])
        if not seat then return 0 end
        seat.conversations[ARGV[2]] = nil
        write(KEYS[1], ARGV[1], seat)
        return 1
        """;

    /// <summary>KEYS: seats. ARGV: agent id, disconnected by. Returns the released conversations, or nil when the agent stays.</summary>
    public static readonly string Retire = Prelude + """
        local seat = read(KEYS[1], ARGV[1])
        if not seat or seat.connections > 0 or not seat.disconnected or utc(seat.disconnected) > utc(ARGV[2])
          or (seat.status == OFFLINE and next(seat.conversations) == nil) then
          return nil
        end
        local released = {}
        for id in pairs(seat.conversations) do released[#released + 1] = id end
        seat.status = OFFLINE
        seat.conversations = {}
        write(KEYS[1], ARGV[1], seat)
        return released
        """;

    /// <summary>
    /// KEYS: this node's heartbeat, this node's agents, nodes, seats. ARGV: node id, TTL in ms, now, then triples of agent
    /// id, connection count and the status the agent last set on this node. Marks the node alive and makes its recorded
    /// connections what the node really holds: after a survivor reaped a node that was only slow, or after Redis lost its
    /// data, the seats get them back, and an agent left offline by that gets their status back.
    /// Returns how many seats changed.
    /// </summary>
    public static readonly string Heartbeat = Prelude + """
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        redis.call('SADD', KEYS[3], ARGV[1])
        local held = {}
        local statuses = {}
        for i = 4, #ARGV, 3 do
          held[ARGV[i]] = tonumber(ARGV[i + 1])
          statuses[ARGV[i]] = tonumber(ARGV[i + 2])
        end
        local recorded = {}
        local flat = redis.call('HGETALL', KEYS[2])
        for i = 1, #flat, 2 do recorded[flat[i]] = tonumber(flat[i + 1]) end
        for agent in pairs(recorded) do
          if not held[agent] then held[agent] = 0 end
        end
        local changed = 0
        for agent, n in pairs(held) do
          local delta = n - (recorded[agent] or 0)
          if delta ~= 0 then
            local seat = read(KEYS[4], agent)
            if seat then
              if n > 0 and not recorded[agent] and seat.status == OFFLINE and statuses[agent] then
                seat.status = statuses[agent]
              end
              set_connections(seat, seat.connections + delta, ARGV[3])
              write(KEYS[4], agent, seat)
              changed = changed + 1
            end
            if seat and n > 0 then
              redis.call('HSET', KEYS[2], agent, n)
            else
              redis.call('HDEL', KEYS[2], agent)
            end
          end
        end
        return changed
        """;

    /// <summary>
    /// KEYS: the node's heartbeat, the node's agents, nodes, seats. ARGV: node id, now. When the heartbeat has expired,
    /// takes away every connection the node held, as that many disconnects at <c>now</c>; only the first reaper gets
    /// past the SREM. Returns the agents whose connections went, or nil when the node is alive or already reaped.
    /// </summary>
    public static readonly string Reap = Prelude + """
        if redis.call('EXISTS', KEYS[1]) == 1 then return nil end
        if redis.call('SREM', KEYS[3], ARGV[1]) == 0 then return nil end
        local agents = {}
        local flat = redis.call('HGETALL', KEYS[2])
        for i = 1, #flat, 2 do
          local seat = read(KEYS[4], flat[i])
          if seat then
            set_connections(seat, seat.connections - tonumber(flat[i + 1]), ARGV[2])
            write(KEYS[4], flat[i], seat)
            agents[#agents + 1] = flat[i]
          end
        end
        redis.call('DEL', KEYS[2])
        return agents
        """;
}
