using System.Text.Json;
using LiveHelp.Core.Calls;
using StackExchange.Redis;

namespace LiveHelp.Redis;

/// <summary>Live calls in Redis, so either participant may signal through any node. One hash, one field per conversation.</summary>
public sealed class RedisCallStore(RedisConnection connection) : ICallStore
{
    // Replaces the call only if the stored one has the expected id and version; an ended call is removed.
    private const string UpdateScript = """
        local raw = redis.call('HGET', KEYS[1], ARGV[1])
        if not raw then return 0 end
        local stored = cjson.decode(raw)
        if stored.Id ~= ARGV[2] or stored.Version ~= tonumber(ARGV[3]) then return 0 end
        if ARGV[5] == '1' then redis.call('HSET', KEYS[1], ARGV[1], ARGV[4]) else redis.call('HDEL', KEYS[1], ARGV[1]) end
        return 1
        """;

    private readonly RedisKey _calls = connection.Key("calls");

    public async Task<Call?> FindLiveAsync(string conversationId) =>
        await connection.Database.HashGetAsync(_calls, conversationId) is { HasValue: true } raw ? Read(raw!) : null;

    public Task<bool> TryAddAsync(Call call) =>
        connection.Database.HashSetAsync(_calls, call.ConversationId, Write(call with { Version = 1 }), When.NotExists);

    public async Task<Call?> TryUpdateAsync(Call call)
    {
        var updated = call with { Version = call.Version + 1 };
        var result = await connection.Database.ScriptEvaluateAsync(
            UpdateScript, [_calls], [call.ConversationId, call.Id, call.Version, Write(updated), updated.IsLive ? "1" : "0"]);
        return (int)result == 1 ? updated : null;
    }

    public async Task<IReadOnlyList<Call>> ListLiveAsync() =>
        (await connection.Database.HashValuesAsync(_calls)).Select(v => Read(v!)).ToList();

    private static string Write(Call call) => JsonSerializer.Serialize(call);

    private static Call Read(string raw) => JsonSerializer.Deserialize<Call>(raw)!;
}
