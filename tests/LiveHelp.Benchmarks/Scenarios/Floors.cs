using System.Diagnostics;
using LiveHelp.Testing;
using StackExchange.Redis;

namespace LiveHelp.Benchmarks.Scenarios;

/// <summary>Floors measured in the same run as the figures they are set beside.</summary>
internal static class Floors
{
    /// <summary>One Redis round trip (PING) from this process to a real redis-server on loopback, one at a time.</summary>
    public static async Task<Latencies.Summary> RedisRoundTripAsync(RedisServer redis, int samples)
    {
        using var connection = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        var database = connection.GetDatabase();
        for (var i = 0; i < 100; i++)
        {
            await database.PingAsync();
        }
        var latencies = new Latencies(samples);
        for (var i = 0; i < samples; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await database.PingAsync();
            latencies.Since(start);
        }
        return latencies.Summarize();
    }
}
