using System.Net;
using System.Net.Sockets;

namespace WellWon.Testing;

/// <summary>Finds TCP ports for servers that tests start.</summary>
public static class FreePort
{
    /// <summary>
    /// Returns a loopback port that was free a moment ago. Another process can still take it
    /// before the caller binds it, so callers that start servers retry with a new port.
    /// </summary>
    public static int Get()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
