namespace LiveHelp.Client.Internal;

internal static class SharedHttp
{
    public static readonly HttpClient Client = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
}
