namespace LiveHelp.Redis;

/// <summary>The "ConnectionStrings:Redis" value and the "LiveHelp:Redis" section.</summary>
public sealed class RedisOptions
{
    /// <summary>A StackExchange.Redis configuration string, e.g. "redis:6379,abortConnect=false".</summary>
    public string Configuration { get; set; } = "";

    /// <summary>Prepended to every key and channel, so several LiveHelp installations can share one Redis.</summary>
    public string Prefix { get; set; } = "livehelp";
}
