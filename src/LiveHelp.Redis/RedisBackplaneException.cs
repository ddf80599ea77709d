namespace LiveHelp.Redis;

/// <summary>
/// Redis could not be reached, so a message or group change did not get to the other nodes. Worth retrying: the
/// connection to Redis recovers by itself. Hubs can catch this without knowing StackExchange.Redis.
/// </summary>
public sealed class RedisBackplaneException : Exception
{
    public RedisBackplaneException(string message)
        : base(message)
    {
    }

    public RedisBackplaneException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
