using System.Net;
using System.Net.Sockets;

namespace LiveHelp.Testing;

public static class LoopbackPort
{
    /// <summary>A port nobody listens on right now (the test's server takes it next).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
