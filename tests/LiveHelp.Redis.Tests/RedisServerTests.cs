namespace LiveHelp.Redis.Tests;

public sealed class RedisServerTests
{
    [Fact]
    public async Task A_real_redis_server_starts_on_a_free_port_and_restarts_on_the_same_one()
    {
        await using var redis = await RedisServer.StartAsync();
        var port = redis.Port;

        await redis.RestartAsync();

        Assert.Equal(port, redis.Port);
    }
}
